//! A real SMTP server for tests: Python's aiosmtpd, storing what it receives
//! in a maildir.
//!
//! Needs `pip install aiosmtpd`. Without it, [`SmtpServer::start`] panics
//! saying so, so a test that needs the server fails rather than skips.

use std::fs;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long the server may take to accept connections after it is started.
const STARTUP: Duration = Duration::from_secs(15);

/// An aiosmtpd process listening on `127.0.0.1:port`, killed on drop.
pub struct SmtpServer {
    pub port: u16,
    /// The maildir that receives every message, one file each.
    pub maildir: PathBuf,
    child: Child,
    /// Holds the maildir and the server's log; removed on drop.
    dir: TempDir,
}

impl SmtpServer {
    /// Starts the server on a free loopback port and waits until it accepts
    /// connections.
    pub fn start() -> SmtpServer {
        require_aiosmtpd();

        let dir = tempfile::tempdir().expect("create a temporary directory");
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let child = spawn(port, &maildir, &dir.path().join("aiosmtpd.log"));

        let mut server = SmtpServer {
            port,
            maildir,
            child,
            dir,
        };
        server.wait_until_listening();
        server
    }

    /// `smtp://127.0.0.1:PORT`, for `Mailer::from_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Returns every message received so far, raw as the server stored it,
    /// oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| fs::read_dir(self.maildir.join(sub)).ok())
            .flatten()
            .filter_map(|entry| entry.ok())
            .map(|entry| (modified(&entry.path()), entry.path()))
            .collect();
        files.sort();

        files
            .iter()
            .map(|(_, path)| fs::read_to_string(path).expect("read a received message"))
            .collect()
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + STARTUP;

        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("aiosmtpd exited with {status}: {}", self.log());
            }
            if Instant::now() > deadline {
                panic!("aiosmtpd did not listen within {STARTUP:?}: {}", self.log());
            }
            sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("aiosmtpd.log")).unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes the quoted-printable parts of a raw MIME message so tests can
/// search its text; other parts and all headers pass through unchanged.
///
/// Parts are found by splitting at lines that start with `--`, which is
/// enough for the messages Ferry sends.
pub fn readable(raw: &str) -> String {
    raw.split_inclusive("\n--").map(readable_part).collect()
}

fn readable_part(part: &str) -> String {
    let Some((headers, body)) = split_headers(part) else {
        return part.to_owned();
    };

    let quoted = headers
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable");

    if quoted {
        format!("{headers}{}", decode_quoted_printable(body))
    } else {
        part.to_owned()
    }
}

/// Splits after the blank line that ends a header block.
fn split_headers(part: &str) -> Option<(&str, &str)> {
    ["\r\n\r\n", "\n\n"]
        .iter()
        .filter_map(|blank| part.find(blank).map(|at| at + blank.len()))
        .min()
        .map(|end| part.split_at(end))
}

/// Joins soft line breaks and decodes `=XX` escapes.
fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;

    while i < bytes.len() {
        match escaped_byte(bytes, i) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }

    String::from_utf8_lossy(&out).into_owned()
}

/// Returns the byte that `=XX` at `i` encodes, if there is one.
fn escaped_byte(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes[i] != b'=' {
        return None;
    }

    let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
    u8::from_str_radix(hex, 16).ok()
}

fn require_aiosmtpd() {
    let found = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());

    assert!(
        found,
        "python3 cannot import aiosmtpd; install aiosmtpd: pip install aiosmtpd"
    );
}

/// Returns a port that was free a moment ago. Another process could take it
/// before aiosmtpd binds it, and then the start fails with aiosmtpd's log.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("find a free loopback port")
        .port()
}

fn spawn(port: u16, maildir: &Path, log: &Path) -> Child {
    let log = fs::File::create(log).expect("create the aiosmtpd log");
    let listen = format!("127.0.0.1:{port}");

    Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &listen])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("share the aiosmtpd log"))
        .stderr(log)
        .spawn()
        .expect("start python3 -m aiosmtpd")
}

fn modified(path: &Path) -> std::time::SystemTime {
    fs::metadata(path)
        .and_then(|meta| meta.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}
