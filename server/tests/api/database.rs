//! The database a test server runs on. One suite, two backends:
//! `KONTOLINK_TEST_DATABASE_URL=postgres://…/postgres` gives every test its own freshly
//! created PostgreSQL database (random name, dropped when the test ends); unset, every test
//! gets a SQLite file in its own temporary directory.

use std::path::Path;

use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::Sqlite;
use sqlx::{Connection, Decode, Executor, Type};

/// Names the PostgreSQL server (any database on it; tests create their own).
pub const DATABASE_ENV: &str = "KONTOLINK_TEST_DATABASE_URL";

/// The configured PostgreSQL server, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var(DATABASE_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

#[derive(Debug)]
enum Backend {
    Sqlite,
    Postgres { server: String, name: String },
}

/// One test's database; a PostgreSQL database is dropped with it.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    backend: Backend,
}

impl TestDatabase {
    /// A fresh database of the configured backend; a SQLite file goes into `dir`.
    pub async fn create(dir: &Path) -> TestDatabase {
        match postgres_server() {
            Some(server) => TestDatabase::create_postgres(&server).await,
            None => TestDatabase {
                url: format!("sqlite://{}", dir.join("kontolink.db").display()),
                backend: Backend::Sqlite,
            },
        }
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured.
    pub async fn postgres() -> Option<TestDatabase> {
        Some(TestDatabase::create_postgres(&postgres_server()?).await)
    }

    async fn create_postgres(server: &str) -> TestDatabase {
        let name = format!("kontolink_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("connecting to {DATABASE_ENV}: {e}"));
        admin
            .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("CREATE DATABASE");
        let _ = admin.close().await;
        let mut url = url::Url::parse(server).expect("a valid PostgreSQL URL");
        url.set_path(&name);
        TestDatabase {
            url: url.to_string(),
            backend: Backend::Postgres {
                server: server.to_owned(),
                name,
            },
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The single value `sql` selects (plain SQL that both backends understand).
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: for<'r> Decode<'r, Sqlite> + Type<Sqlite>,
        T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
        T: Send + Unpin,
    {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Backend::Postgres { .. } => {
                let mut conn = PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }
}

impl TestDatabase {
    /// Everything the database holds, as text to scan for leaked secrets: the SQLite file
    /// and its WAL as they are on disk, or every row of every PostgreSQL table as JSON.
    pub async fn everything_stored(&self) -> String {
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let mut raw = Vec::new();
                for file in [path.to_owned(), format!("{path}-wal")] {
                    if let Ok(bytes) = std::fs::read(&file) {
                        raw.extend(bytes);
                    }
                }
                String::from_utf8_lossy(&raw).into_owned()
            }
            Backend::Postgres { .. } => {
                let mut conn = PgConnection::connect(&self.url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let mut dump = String::new();
                for table in tables {
                    let sql = format!(
                        r#"SELECT COALESCE(string_agg(row_to_json(t)::text, E'\n'), '') FROM "{table}" t"#
                    );
                    let rows: String = sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap();
                    dump.push_str(&format!("{table}:\n{rows}\n"));
                }
                dump
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Backend::Postgres { server, name } = &self.backend else {
            return;
        };
        let (server, name) = (server.clone(), name.clone());
        // Drop runs inside the test's runtime, which may not block on async work: use a
        // runtime of our own on a thread of our own. `FORCE` ends the servers' connections.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server).await.ok()?;
                let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
                admin.execute(sql.as_str()).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the test database; the cluster's teardown removes it");
        }
    }
}
