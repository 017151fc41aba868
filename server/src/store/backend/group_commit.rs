//! SQLite's writes through one connection, committed in groups.
//!
//! SQLite has one write lock per file. With a pool of writing connections, every writer but
//! one sleeps in the busy timeout (it polls the lock with growing sleeps), and every
//! transaction pays its own `fsync` at commit (`synchronous=FULL`). Here every write
//! transaction of the process runs on the one [`GroupWriter`] connection instead, in turn,
//! each inside its own `SAVEPOINT` of a shared `BEGIN IMMEDIATE` transaction:
//!
//! - [`GroupWriter::begin`] waits for the connection (a fair queue, no polling), opens the
//!   shared transaction if none is open, and starts the caller's savepoint.
//! - [`GroupTx::commit`] releases the savepoint (its changes now belong to the group) and
//!   waits for the group's `COMMIT`. The member that finds nobody else waiting for the
//!   connection — or a group that is already `MAX_GROUP` (64) members or `MAX_GROUP_AGE`
//!   (5 ms) old — commits it, once, and answers every member with the outcome: each caller returns only
//!   after its writes are durable, and a failed `COMMIT` fails every member of the group.
//! - A [`GroupTx`] dropped without commit (an error, a cancelled request) rolls back to its
//!   savepoint: the group's other members keep their writes.
//!
//! Constraints are checked when a member's statement runs, so a violation fails that member
//! alone. A `DEFERRABLE INITIALLY DEFERRED` constraint would only be checked at the group's
//! `COMMIT` and fail the whole group: the schema has none, and must not get one.
//!
//! Members run one after the other, so each sees the writes of the members before it, as it
//! would have after their separate commits; readers (the pool) see a group's writes only
//! once it is committed. A single client waiting alone commits at once, as before: the
//! grouping only happens when there is a queue, which is when it helps.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::store::StoreError;

/// At most this many transactions share one commit, so a steady queue cannot hold the
/// first member's answer back indefinitely.
const MAX_GROUP: usize = 64;

/// A group older than this commits at the next member's end, whatever waits behind it.
const MAX_GROUP_AGE: Duration = Duration::from_millis(5);

/// How long a member that left the commit to others waits before it checks whether its group
/// was committed after all (it was not if the caller it counted on gave up waiting).
const FALLBACK_AFTER: Duration = Duration::from_millis(20);

/// What a member learns about its group's `COMMIT`.
type Outcome = Result<(), Arc<sqlx::Error>>;

/// The one writing connection of a SQLite database.
#[derive(Debug)]
pub struct GroupWriter {
    connection: Arc<Mutex<Group>>,
    /// Callers of [`GroupWriter::begin`] waiting for the connection.
    queued: AtomicUsize,
}

/// The connection and the transaction group open on it.
#[derive(Debug)]
struct Group {
    conn: SqliteConnection,
    /// When the shared `BEGIN` was issued; `None`: no transaction is open.
    opened_at: Option<Instant>,
    /// The members that released their savepoint and wait for the `COMMIT`.
    members: Vec<oneshot::Sender<Outcome>>,
    /// Counts the groups committed (or rolled back): a member knows whether its group ended.
    generation: u64,
    /// The savepoint of the last member to have run, still to be ended.
    last: Savepoint,
}

/// The last member's savepoint. It is ended together with the next statement the
/// connection runs (the next member's `SAVEPOINT`, or the group's `COMMIT`), so a member
/// costs no round trip of its own to the database thread at its start or its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// None, or already ended.
    Ended,
    /// The member committed: its savepoint is to be released into the group.
    Committed,
    /// The member holds the connection; found so by anybody else, it was dropped mid-way
    /// and its savepoint is to be rolled back.
    Open,
}

impl Savepoint {
    /// The SQL that ends it, to prefix the next statement with.
    fn end_sql(self) -> &'static str {
        match self {
            Savepoint::Ended => "",
            Savepoint::Committed => "RELEASE SAVEPOINT member; ",
            Savepoint::Open => "ROLLBACK TO SAVEPOINT member; RELEASE SAVEPOINT member; ",
        }
    }
}

impl GroupWriter {
    pub async fn connect(options: &SqliteConnectOptions) -> Result<GroupWriter, StoreError> {
        let conn = options.connect().await?;
        Ok(GroupWriter {
            connection: Arc::new(Mutex::new(Group {
                conn,
                opened_at: None,
                members: Vec::new(),
                generation: 0,
                last: Savepoint::Ended,
            })),
            queued: AtomicUsize::new(0),
        })
    }

    /// Waits for the connection and starts a transaction on it (a savepoint of the group).
    pub async fn begin(self: &Arc<Self>) -> Result<GroupTx, StoreError> {
        let mut group = {
            let _queued = Queued::enter(&self.queued);
            Arc::clone(&self.connection).lock_owned().await
        };
        let begin = if group.opened_at.is_none() {
            "BEGIN IMMEDIATE; "
        } else {
            ""
        };
        let sql = format!("{}{begin}SAVEPOINT member", group.last.end_sql());
        if let Err(error) = sqlx::query(&sql).execute(&mut group.conn).await {
            let error = Arc::new(error);
            group.roll_back(&error).await;
            return Err(StoreError::GroupCommit(error));
        }
        group.opened_at.get_or_insert_with(Instant::now);
        group.last = Savepoint::Open;
        Ok(GroupTx {
            group: Some(group),
            writer: Arc::clone(self),
        })
    }

    /// Lets go of the connection after a member: commits the group now if nobody queued
    /// behind would (or it is due), else hands the connection on to the next member. The
    /// commit runs in a task of its own, so that a caller that stops waiting cannot leave
    /// the group half-committed.
    fn commit_or_hand_on(&self, group: OwnedMutexGuard<Group>) {
        let nobody_queued = self.queued.load(Ordering::SeqCst) == 0;
        if nobody_queued || group.is_due() {
            let mut group = group;
            tokio::spawn(async move { group.commit().await });
        }
    }
}

/// Counts a caller as queued for the connection until it has it or gives up.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn enter(counter: &'a AtomicUsize) -> Queued<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        Queued(counter)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Group {
    /// Commits the open transaction and answers every member waiting for it.
    async fn commit(&mut self) {
        if self.opened_at.is_none() {
            return;
        }
        let sql = format!("{}COMMIT", self.last.end_sql());
        match sqlx::query(&sql).execute(&mut self.conn).await {
            Ok(_) => self.answer(&Ok(())),
            Err(error) => self.roll_back(&Arc::new(error)).await,
        }
    }

    /// Something failed that leaves the group's transaction in doubt: roll all of it back
    /// (a failed `COMMIT` leaves it open on SQLite, a failed `SAVEPOINT` may follow a
    /// `BEGIN` that succeeded) so the next group starts clean, and tell every member. With
    /// no transaction open the `ROLLBACK` fails, harmlessly.
    async fn roll_back(&mut self, error: &Arc<sqlx::Error>) {
        let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        self.answer(&Err(Arc::clone(error)));
    }

    /// The group has ended with `outcome`.
    fn answer(&mut self, outcome: &Outcome) {
        self.opened_at = None;
        self.last = Savepoint::Ended;
        self.generation += 1;
        for member in self.members.drain(..) {
            let _ = member.send(outcome.clone());
        }
    }

    fn is_due(&self) -> bool {
        self.members.len() >= MAX_GROUP
            || self
                .opened_at
                .is_some_and(|opened| opened.elapsed() >= MAX_GROUP_AGE)
    }
}

/// One write transaction of the group; dropped without [`GroupTx::commit`], it rolls back.
pub struct GroupTx {
    group: Option<OwnedMutexGuard<Group>>,
    writer: Arc<GroupWriter>,
}

impl GroupTx {
    pub fn connection(&mut self) -> &mut SqliteConnection {
        &mut self
            .group
            .as_mut()
            .expect("a GroupTx holds the connection until it ends")
            .conn
    }

    /// Makes the transaction's writes part of the group and returns once the group's
    /// `COMMIT` is durable (or failed).
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let mut group = self
            .group
            .take()
            .expect("a GroupTx holds the connection until it ends");
        group.last = Savepoint::Committed;
        let (answer, outcome) = oneshot::channel();
        group.members.push(answer);
        let generation = group.generation;
        self.writer.commit_or_hand_on(group);
        wait_for(outcome, generation, &self.writer).await
    }
}

/// The member's answer; should the member that was expected to commit have given up, the
/// waiting member commits its group itself.
async fn wait_for(
    mut outcome: oneshot::Receiver<Outcome>,
    generation: u64,
    writer: &Arc<GroupWriter>,
) -> Result<(), StoreError> {
    let answer = match tokio::time::timeout(FALLBACK_AFTER, &mut outcome).await {
        Ok(answer) => answer,
        Err(_) => {
            let connection = Arc::clone(&writer.connection);
            tokio::spawn(async move {
                let mut group = connection.lock_owned().await;
                if group.generation == generation {
                    group.commit().await;
                }
            });
            outcome.await
        }
    };
    match answer {
        Ok(result) => result.map_err(StoreError::GroupCommit),
        // The committing task ended without an answer (the runtime is shutting down).
        Err(_) => Err(StoreError::GroupCommit(Arc::new(sqlx::Error::PoolClosed))),
    }
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        // Dropped mid-way: its savepoint stays `Open`, so whatever runs next on the
        // connection (the next member, or the group's commit) rolls it back first.
        if let Some(group) = self.group.take() {
            self.writer.commit_or_hand_on(group);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::store::backend::sqlite::{SqliteDb, open};
    use crate::store::backend::{Db, Tx};

    async fn database() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&format!("sqlite://{}/group.db", dir.path().display()))
            .await
            .unwrap();
        let mut tx = Db::Sqlite(db.clone()).begin().await.unwrap();
        tx.sql("CREATE TABLE notes (n INTEGER PRIMARY KEY)")
            .execute()
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (dir, Db::Sqlite(db))
    }

    fn sqlite(db: &Db) -> &SqliteDb {
        match db {
            Db::Sqlite(db) => db,
            Db::Postgres(_) => unreachable!(),
        }
    }

    async fn committed(dir: &tempfile::TempDir) -> Vec<i64> {
        // A connection of its own, as another process would read the file.
        let url = format!("sqlite://{}/group.db", dir.path().display());
        let mut conn = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        sqlx::query_scalar("SELECT n FROM notes ORDER BY n")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    }

    /// Until `n` callers wait for the connection.
    async fn queued_behind(db: &Db, n: usize) {
        while sqlite(db).writer.queued.load(Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
    }

    async fn insert(db: &Db, n: i64) -> Tx {
        let mut tx = db.begin().await.unwrap();
        tx.sql("INSERT INTO notes (n) VALUES ($1)")
            .bind(n)
            .execute()
            .await
            .unwrap();
        tx
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_transactions_all_commit_and_share_their_commits() {
        let (dir, db) = database().await;
        let before = sqlite(&db).writer.connection.lock().await.generation;
        let writers = (0..200).map(|n| {
            let db = db.clone();
            tokio::spawn(async move { insert(&db, n).await.commit().await })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap().unwrap();
        }
        assert_eq!(committed(&dir).await, (0..200).collect::<Vec<_>>());
        let commits = sqlite(&db).writer.connection.lock().await.generation - before;
        assert!(
            commits < 200,
            "200 concurrent transactions took {commits} commits"
        );
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_member_and_the_next_group_starts_clean() {
        let (dir, db) = database().await;
        let mut tx = db.begin().await.unwrap();
        // A deferred foreign key is only checked at COMMIT: the way to make one fail.
        tx.sql(
            "CREATE TABLE links (n INTEGER REFERENCES notes (n) \
             DEFERRABLE INITIALLY DEFERRED)",
        )
        .execute()
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let first = insert(&db, 1).await;
        let db2 = db.clone();
        let second = tokio::spawn(async move {
            let mut tx = db2.begin().await.unwrap();
            tx.sql("INSERT INTO links (n) VALUES (99)")
                .execute()
                .await
                .unwrap();
            tx.commit().await
        });
        queued_behind(&db, 1).await;
        assert!(matches!(
            first.commit().await,
            Err(StoreError::GroupCommit(_))
        ));
        assert!(second.await.unwrap().is_err());
        assert_eq!(committed(&dir).await, Vec::<i64>::new());
        insert(&db, 2).await.commit().await.unwrap();
        assert_eq!(committed(&dir).await, vec![2]);
    }

    #[tokio::test]
    async fn a_member_dropped_without_commit_rolls_back_alone() {
        let (dir, db) = database().await;
        // The first member holds the connection while the other two queue behind it, so all
        // three end up in one group.
        let first = insert(&db, 1).await;
        let (db2, db3) = (db.clone(), db.clone());
        let dropped = tokio::spawn(async move { drop(insert(&db2, 2).await) });
        let third = tokio::spawn(async move { insert(&db3, 3).await.commit().await });
        queued_behind(&db, 2).await;
        first.commit().await.unwrap();
        dropped.await.unwrap();
        third.await.unwrap().unwrap();
        assert_eq!(committed(&dir).await, vec![1, 3]);
    }

    #[tokio::test]
    async fn a_group_whose_last_member_is_dropped_commits_the_others() {
        let (dir, db) = database().await;
        let first = insert(&db, 1).await;
        let db2 = db.clone();
        let dropped = tokio::spawn(async move { drop(insert(&db2, 2).await) });
        queued_behind(&db, 1).await;
        // The first member leaves the commit to the one queued behind it, which never
        // commits: its drop must end the group.
        let answer = tokio::time::timeout(FALLBACK_AFTER / 2, first.commit()).await;
        assert!(matches!(answer, Ok(Ok(()))), "{answer:?}");
        dropped.await.unwrap();
        assert_eq!(committed(&dir).await, vec![1]);
    }

    #[tokio::test]
    async fn a_member_sees_the_writes_of_the_members_before_it_and_a_failed_statement_costs_only_its_own()
     {
        let (dir, db) = database().await;
        let first = insert(&db, 7).await;
        let db2 = db.clone();
        let second = tokio::spawn(async move {
            let mut tx = db2.begin().await.unwrap();
            // The first member's row is there (same group, not yet committed): the
            // primary key refuses it, and the transaction goes on.
            let refused = tx.sql("INSERT INTO notes (n) VALUES (7)").execute().await;
            assert!(refused.is_err());
            tx.sql("INSERT INTO notes (n) VALUES (8)")
                .execute()
                .await
                .unwrap();
            tx.commit().await
        });
        queued_behind(&db, 1).await;
        first.commit().await.unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(committed(&dir).await, vec![7, 8]);
    }
}
