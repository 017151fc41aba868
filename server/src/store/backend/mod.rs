//! The two databases behind one small, fully typed API, so that every query of the store is
//! written once (`store/sql/`) and runs on either.
//!
//! [`Db`] is the pool of one backend, [`Tx`] a transaction on it, [`Stmt`] one statement
//! bound to where it runs, and [`Row`] what it returns. A statement is always created from
//! the pool or transaction that runs it, so a SQLite query can never meet a PostgreSQL
//! connection. Every method matches on the backend and hands the call to sqlx's own driver
//! for it: values are bound and decoded by the backend's own `Encode`/`Decode` (no
//! conversion into an intermediate value type, no boxing), and any type both backends know
//! ([`Param`], [`Col`]: text, integers, booleans, floats, bytes, the domain's text ids and
//! their `Option`s) can be used.
//!
//! The SQL is the common subset of both dialects: `$1`-style numbered parameters (SQLite
//! reads `$N` as parameter N, and a repeated `$1` is one parameter), `ON CONFLICT … DO
//! UPDATE`, `RETURNING`, flags compared as `WHERE flag`. What really differs lives in the
//! two dialect modules: how a pool is opened and migrated, the row locking of a shared queue
//! ([`Db::skip_locked`]), the ordering of event ids ([`Tx::lock_events_of`]), and where
//! rate-limit buckets live. Transactions start alike ([`Db::begin`]).

pub mod group_commit;
pub mod postgres;
pub mod sqlite;

use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow, Postgres};
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Decode, Encode, Row as _, Transaction, Type};

use self::group_commit::GroupTx;
use self::sqlite::SqliteDb;
use super::StoreError;

/// A value both backends can bind.
pub trait Param<'q>:
    'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

impl<'q, T> Param<'q> for T where
    T: 'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

/// A value both backends can read from a column.
pub trait Col:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Col for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// The connection pool of one backend.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// A write transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    /// A member of the SQLite write group ([`group_commit`]).
    Sqlite(GroupTx),
    Postgres(Transaction<'static, Postgres>),
}

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;
type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// One statement and where it runs: a pool (its own transaction) or an open transaction.
pub enum Stmt<'c, 'q> {
    SqlitePool(&'c SqlitePool, SqliteQuery<'q>),
    SqliteTx(&'c mut SqliteConnection, SqliteQuery<'q>),
    PgPool(&'c PgPool, PgQuery<'q>),
    PgTx(&'c mut PgConnection, PgQuery<'q>),
}

/// A result row of either backend, read by column name.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Db {
    pub fn sql<'c, 'q>(&'c self, sql: &'q str) -> Stmt<'c, 'q> {
        match self {
            Db::Sqlite(db) => Stmt::SqlitePool(&db.reads, sqlx::query(sql)),
            Db::Postgres(pool) => Stmt::PgPool(pool, sqlx::query(sql)),
        }
    }

    /// Starts a write transaction. On SQLite it is a member of the one writing connection's
    /// group ([`group_commit`]): write transactions run one after the other, without
    /// competing for the file's write lock, and share their commits. On PostgreSQL (READ
    /// COMMITTED) every transaction of the store starts with its write (a conditional
    /// `UPDATE` or an `INSERT`), and the exclusion comes from the row lock it takes.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(db) => Tx::Sqlite(db.writer.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// What ends the subquery that picks the next job of a queue: on PostgreSQL it locks the
    /// row and skips rows other claims hold, so processes sharing the queue never take the
    /// same job nor wait for each other; SQLite's single writer already serialises claims.
    pub fn skip_locked(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        }
    }
}

impl Tx {
    pub fn sql<'c, 'q>(&'c mut self, sql: &'q str) -> Stmt<'c, 'q> {
        match self {
            Tx::Sqlite(tx) => Stmt::SqliteTx(tx.connection(), sqlx::query(sql)),
            Tx::Postgres(tx) => Stmt::PgTx(tx, sqlx::query(sql)),
        }
    }

    /// The `VALUES` list of a multi-row `INSERT` of `rows` rows of `columns` values each:
    /// `($1, $2), ($3, $4)` on PostgreSQL; anonymous `(?, ?), (?, ?)` on SQLite, whose
    /// lookup of a numbered parameter scans the statement's list of names (sqlx binds each
    /// value by its name: quadratic in the values of a long statement, where `?` costs
    /// nothing).
    pub fn values_list(&self, rows: usize, columns: usize) -> String {
        let numbered = matches!(self, Tx::Postgres(_));
        let mut sql = String::with_capacity(rows * columns * 6);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                if numbered {
                    sql.push_str(&format!("${}", row * columns + column + 1));
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        sql
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Makes the event ids of `user_id` grow in commit order until this transaction ends
    /// (see [`postgres::lock_events_of`]); SQLite commits one writer at a time anyway.
    pub async fn lock_events_of(&mut self, user_id: &str) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(_) => Ok(()),
            Tx::Postgres(tx) => postgres::lock_events_of(tx, user_id).await,
        }
    }
}

/// Runs the same call on whichever sqlx query and executor the statement holds.
macro_rules! run {
    ($stmt:expr, |$query:ident, $on:ident| $call:expr) => {
        match $stmt {
            Stmt::SqlitePool($on, $query) => $call,
            Stmt::SqliteTx($on, $query) => $call,
            Stmt::PgPool($on, $query) => $call,
            Stmt::PgTx($on, $query) => $call,
        }
    };
}

impl<'c, 'q> Stmt<'c, 'q> {
    pub fn bind<T: Param<'q>>(self, value: T) -> Self {
        match self {
            Stmt::SqlitePool(on, query) => Stmt::SqlitePool(on, query.bind(value)),
            Stmt::SqliteTx(on, query) => Stmt::SqliteTx(on, query.bind(value)),
            Stmt::PgPool(on, query) => Stmt::PgPool(on, query.bind(value)),
            Stmt::PgTx(on, query) => Stmt::PgTx(on, query.bind(value)),
        }
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute(self) -> Result<u64, StoreError> {
        Ok(run!(self, |query, on| query
            .execute(on)
            .await?
            .rows_affected()))
    }

    pub async fn fetch_optional(self) -> Result<Option<Row>, StoreError> {
        Ok(run!(self, |query, on| query
            .fetch_optional(on)
            .await?
            .map(Row::from)))
    }

    pub async fn fetch_one(self) -> Result<Row, StoreError> {
        Ok(run!(self, |query, on| Row::from(
            query.fetch_one(on).await?
        )))
    }

    pub async fn fetch_all(self) -> Result<Vec<Row>, StoreError> {
        Ok(run!(self, |query, on| query
            .fetch_all(on)
            .await?
            .into_iter()
            .map(Row::from)
            .collect()))
    }

    /// The first column of every row.
    pub async fn fetch_column<T: Col>(self) -> Result<Vec<T>, StoreError> {
        self.fetch_all()
            .await?
            .iter()
            .map(|row| row.at(0))
            .collect()
    }

    /// The first column of the row, if there is one.
    pub async fn fetch_value<T: Col>(self) -> Result<Option<T>, StoreError> {
        self.fetch_optional()
            .await?
            .map(|row| row.at(0))
            .transpose()
    }
}

impl Row {
    pub fn get<T: Col>(&self, column: &str) -> Result<T, StoreError> {
        Ok(match self {
            Row::Sqlite(row) => row.try_get(column)?,
            Row::Postgres(row) => row.try_get(column)?,
        })
    }

    /// The value of the `index`th column.
    pub fn at<T: Col>(&self, index: usize) -> Result<T, StoreError> {
        Ok(match self {
            Row::Sqlite(row) => row.try_get(index)?,
            Row::Postgres(row) => row.try_get(index)?,
        })
    }
}

impl From<SqliteRow> for Row {
    fn from(row: SqliteRow) -> Row {
        Row::Sqlite(row)
    }
}

impl From<PgRow> for Row {
    fn from(row: PgRow) -> Row {
        Row::Postgres(row)
    }
}
