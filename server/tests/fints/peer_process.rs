//! python-fints's FinTS test bank as a child process (`scripts/fints-peer.sh`, named by
//! `KONTOLINK_FINTS_PEER`): started by a test, killed by its own handle when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ENV: &str = "KONTOLINK_FINTS_PEER";

/// The peer process, killed (by its own handle) when dropped.
pub struct Peer {
    child: Child,
    pub url: String,
    _stdin: Option<ChildStdin>,
    _stdout: BufReader<ChildStdout>,
}

impl Peer {
    /// `None` (and a note on stderr) when `KONTOLINK_FINTS_PEER` is not set.
    pub fn from_env(test: &str) -> Option<Peer> {
        match std::env::var(ENV) {
            Ok(command) if !command.trim().is_empty() => Some(Peer::spawn(&command)),
            _ => {
                eprintln!("{test}: skipped, {ENV} is not set (scripts/fints-peer.sh)");
                None
            }
        }
    }

    pub fn spawn(command: &str) -> Peer {
        // `exec` so that the shell becomes the peer and the handle kills the peer itself
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {command}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{ENV}={command:?} does not start: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = sender.send((read.map(|_| line), reader));
        });
        let (line, reader) = match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok((Ok(line), reader)) => (line, reader),
            Ok((Err(e), _)) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{ENV}: reading its first line: {e}")
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{ENV}={command:?} printed no LISTENING line within 60 s")
            }
        };
        let Some(url) = line.trim().strip_prefix("LISTENING ").map(str::to_string) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{ENV}={command:?}: expected `LISTENING <url>`, got {line:?}");
        };
        Peer {
            _stdin: child.stdin.take(),
            child,
            url,
            _stdout: reader,
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
