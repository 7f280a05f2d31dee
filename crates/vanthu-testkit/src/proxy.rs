//! A TCP proxy on loopback that makes a link bad on purpose: it delays chunks, cuts connections in
//! the middle of a transfer (both ways), refuses connections while "unplugged", and can be pointed at
//! a restarted upstream. It works below TLS, so the stations and the hub see exactly what a flaky
//! provincial link does to them. Randomness is seeded: a failing run can be replayed.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What goes wrong, and how often.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Probability that a connection is refused (closed at once) when accepted.
    pub refuse: f64,
    /// Probability, per chunk forwarded, that the connection is cut there (both ways).
    pub cut: f64,
    /// Each chunk waits up to this long (uniformly) before it is forwarded.
    pub max_delay: Duration,
}

impl Faults {
    /// A clean link.
    pub const NONE: Faults = Faults { refuse: 0.0, cut: 0.0, max_delay: Duration::ZERO };
}

struct Shared {
    upstream: Mutex<SocketAddr>,
    faults: Mutex<Faults>,
    unplugged: AtomicBool,
    stop: AtomicBool,
    /// Bumped when unplugged: connections of an older generation close.
    generation: AtomicU64,
    rng: Mutex<StdRng>,
    cuts: AtomicU64,
    refusals: AtomicU64,
}

impl Shared {
    fn roll(&self, p: f64) -> bool {
        p > 0.0 && self.rng.lock().unwrap_or_else(PoisonError::into_inner).random_bool(p.min(1.0))
    }

    fn delay(&self) -> Duration {
        let max = self.faults.lock().unwrap_or_else(PoisonError::into_inner).max_delay;
        if max.is_zero() {
            return Duration::ZERO;
        }
        max.mul_f64(self.rng.lock().unwrap_or_else(PoisonError::into_inner).random::<f64>())
    }
}

/// A running proxy; stopped when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub fn start(upstream: SocketAddr, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            faults: Mutex::new(Faults::NONE),
            unplugged: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            cuts: AtomicU64::new(0),
            refusals: AtomicU64::new(0),
        });
        let accept = Arc::clone(&shared);
        thread::spawn(move || {
            for client in listener.incoming() {
                if accept.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let refuse = accept.faults.lock().unwrap_or_else(PoisonError::into_inner).refuse;
                if accept.unplugged.load(Ordering::SeqCst) || accept.roll(refuse) {
                    accept.refusals.fetch_add(1, Ordering::SeqCst);
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let upstream = *accept.upstream.lock().unwrap_or_else(PoisonError::into_inner);
                let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let generation = accept.generation.load(Ordering::SeqCst);
                for (from, to) in [(client.try_clone(), server.try_clone()), (server.try_clone(), client.try_clone())] {
                    let (Ok(from), Ok(to)) = (from, to) else { continue };
                    let shared = Arc::clone(&accept);
                    thread::spawn(move || pump(from, to, &shared, generation));
                }
            }
        });
        Proxy { addr, shared }
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Changes what goes wrong from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults;
    }

    /// Unplugs the link (every open connection is cut, new ones refused) or plugs it back.
    pub fn set_unplugged(&self, unplugged: bool) {
        if unplugged {
            self.shared.generation.fetch_add(1, Ordering::SeqCst);
        }
        self.shared.unplugged.store(unplugged, Ordering::SeqCst);
    }

    /// Points the proxy at another upstream (a restarted server on a new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.shared.upstream.lock().unwrap_or_else(PoisonError::into_inner) = upstream;
    }

    /// Connections cut so far, and connections refused.
    pub fn damage(&self) -> (u64, u64) {
        (self.shared.cuts.load(Ordering::SeqCst), self.shared.refusals.load(Ordering::SeqCst))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Copies `from` to `to` chunk by chunk, with the faults; closes both on a cut, an error or the end.
fn pump(mut from: TcpStream, mut to: TcpStream, shared: &Shared, generation: u64) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 16 * 1024];
    loop {
        if shared.stop.load(Ordering::SeqCst) || shared.generation.load(Ordering::SeqCst) != generation {
            break;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        let delay = shared.delay();
        if !delay.is_zero() {
            thread::sleep(delay);
        }
        let cut = shared.faults.lock().unwrap_or_else(PoisonError::into_inner).cut;
        if shared.roll(cut) {
            shared.cuts.fetch_add(1, Ordering::SeqCst);
            // Part of the chunk goes through, then the line drops.
            let _ = to.write_all(&buf[..n / 2]);
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
