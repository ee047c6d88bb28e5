//! A child in its own process group (spawned with `process_group(0)`), watched until it exits or its deadline
//! passes; then everything left in its group is killed and the child is reaped with `wait4`, for its CPU time and
//! peak RSS. Shared by the worker runs, `ladder advise` and `ladder climb`.
//!
//! The order matters: a process group's id is its leader's pid, and once the leader is reaped the kernel may hand
//! that pid to an unrelated process, so `kill(-pid)` after reaping could signal a stranger's group. The exit is
//! therefore seen with `waitid(WNOWAIT)`, which leaves the leader an unreaped zombie (its pid, and so the group id,
//! still held, and its /proc entry still readable), the group is killed, and only then is the leader reaped.

use std::time::Instant;

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
}

/// What `wait4` told of a reaped child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reaped {
    pub exit: Exit,
    /// User + system CPU time of the child (and of its own children it reaped).
    pub cpu_ns: u64,
    pub peak_rss_bytes: u64,
}

/// Watches one child that leads its own process group. Only this reaps it: the `std::process::Child` it came from
/// must not be waited on.
pub struct Reaper {
    pid: libc::pid_t,
    deadline: Instant,
    timed_out: bool,
    ended: bool,
}

impl Reaper {
    pub fn new(pid: libc::pid_t, deadline: Instant) -> Self {
        Self {
            pid,
            deadline,
            timed_out: false,
            ended: false,
        }
    }

    /// One look, without reaping: false while the child runs; true once it has exited (it stays a zombie until
    /// [`Reaper::reap`]) or once the deadline has passed (then its whole group has been killed).
    pub fn ended(&mut self) -> std::io::Result<bool> {
        if self.ended {
            return Ok(true);
        }
        // SAFETY: siginfo_t is plain data that waitid fills; zeroed so `si_pid` reads 0 when nothing has exited.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child; WNOWAIT leaves it unreaped.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                self.pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if rc < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: waitid filled (or left zeroed) the SIGCHLD fields.
        if unsafe { info.si_pid() } != 0 {
            self.ended = true;
        } else if Instant::now() >= self.deadline {
            self.kill_group();
            self.timed_out = true;
            self.ended = true;
        }
        Ok(self.ended)
    }

    /// Kills whatever is left in the child's group, then reaps the child (waiting for it if it is still running,
    /// which the kill makes short: call it once [`Reaper::ended`] says true).
    pub fn reap(&mut self) -> std::io::Result<Reaped> {
        self.kill_group();
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data that wait4 fills.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = loop {
            // SAFETY: `pid` is our own child, reaped only here.
            let rc = unsafe { libc::wait4(self.pid, &mut status, 0, &mut usage) };
            if rc < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break rc;
        };
        if rc < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let exit = if self.timed_out {
            Exit::TimedOut
        } else if libc::WIFEXITED(status) {
            Exit::Code(libc::WEXITSTATUS(status))
        } else {
            Exit::Signal(libc::WTERMSIG(status))
        };
        let tv = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
        Ok(Reaped {
            exit,
            cpu_ns: tv(usage.ru_utime) + tv(usage.ru_stime),
            // Linux reports ru_maxrss in KiB.
            peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
        })
    }

    /// [`Reaper::ended`] and, once it is, [`Reaper::reap`]: `None` while the child runs.
    pub fn poll(&mut self) -> Option<std::io::Result<Reaped>> {
        match self.ended() {
            Ok(false) => None,
            Ok(true) => Some(self.reap()),
            Err(e) => Some(Err(e)),
        }
    }

    fn kill_group(&self) {
        // SAFETY: the group is the child's own, and its leader is not reaped yet, so its id is not reused.
        unsafe {
            libc::kill(-self.pid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    fn spawn(script: &str) -> (libc::pid_t, std::process::Child) {
        let child = Command::new("sh")
            .args(["-c", script])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        (child.id() as libc::pid_t, child)
    }

    /// 'Z' for a zombie, None once the pid is gone.
    fn state(pid: libc::pid_t) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(") ").next()?.chars().next()
    }

    fn wait_ended(reaper: &mut Reaper) {
        let until = Instant::now() + Duration::from_secs(20);
        while !reaper.ended().unwrap() {
            assert!(Instant::now() < until, "the child never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn the_group_is_killed_while_the_leader_is_still_unreaped() {
        // The leader leaves a background sleep in its group and exits.
        let (pid, mut child) = spawn("sleep 60 & echo $!; exit 3");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let left_behind: libc::pid_t = line.trim().parse().unwrap();
        let mut reaper = Reaper::new(pid, Instant::now() + Duration::from_secs(60));
        wait_ended(&mut reaper);
        // Seen ended, not reaped: the pid (the group's id) is still held by the zombie.
        assert_eq!(state(pid), Some('Z'));
        assert_eq!(state(left_behind).map(|s| s != 'Z'), Some(true));
        let reaped = reaper.reap().unwrap();
        assert_eq!(reaped.exit, Exit::Code(3));
        assert_eq!(state(pid), None, "reaped");
        // The sleep left behind was killed with the group (a zombie until its new parent reaps it, or gone).
        let until = Instant::now() + Duration::from_secs(10);
        while state(left_behind).is_some_and(|s| s != 'Z') {
            assert!(Instant::now() < until, "the group's other process survived");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_child_past_its_deadline_is_killed_and_reported_timed_out() {
        let (pid, _child) = spawn("sleep 60");
        let started = Instant::now();
        let mut reaper = Reaper::new(pid, started + Duration::from_millis(200));
        let reaped = loop {
            if let Some(r) = reaper.poll() {
                break r.unwrap();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(reaped.exit, Exit::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(30));
        let (pid, _child) = spawn("kill -TERM $$");
        let mut reaper = Reaper::new(pid, Instant::now() + Duration::from_secs(60));
        wait_ended(&mut reaper);
        assert_eq!(reaper.reap().unwrap().exit, Exit::Signal(libc::SIGTERM));
    }
}
