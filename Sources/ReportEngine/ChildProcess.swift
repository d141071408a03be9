import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command spawned for pairbook (an `on_trigger` notifier), set apart from the long-running process:
/// its own process group (so a time limit can stop the command *and* everything it started), default
/// handling of SIGTERM, SIGINT, SIGHUP and SIGPIPE (a `pairbook run` ignores SIGTERM and SIGINT to shut
/// down gracefully, and a child would otherwise inherit that) and stdin from /dev/null. Other descriptors are
/// not passed on because pairbook's are close-on-exec (SwiftNIO, SQLite and Foundation open them so).
///
/// Foundation's `Process` does none of this, and reports the exit of `sh -c` only once every process that
/// inherited its descriptors has ended; here waiting is a `waitpid` on a thread of its own.
///
/// Why not swift-subprocess (1.0.2): its teardown sequence ends as soon as the process it started has exited, so when
/// `sh` dies on SIGTERM while a child of it ignores SIGTERM, the final SIGKILL to the group is never sent and the child
/// lives on — the very case ``stopGroup(grace:)`` exists for (and `TriggerCommandTests` checks).
struct ChildProcess: Sendable {
    /// `posix_spawn` failed: `path` and the system's reason.
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t

    /// Starts `path` with `arguments` and exactly `environment`.
    static func spawn(_ path: String, arguments: [String], environment: [String: String]) throws(SpawnError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(description: "\(path): \(String(cString: strerror(result)))") }
        return ChildProcess(pid: pid)
    }

    /// Waits for the process to end (on a thread of its own, not a cooperative one).
    /// - Returns: its exit status, or 128 + the signal that ended it (as a shell reports it).
    func waitForExit() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 {
                    guard errno == EINTR else {
                        continuation.resume(returning: -1)
                        return
                    }
                }
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
            thread.name = "pairbook-child-wait"
            thread.start()
        }
    }

    /// Sends `signal` to the process and everything it started (its process group).
    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Whether any process of the group is still there (zombies included).
    var groupExists: Bool {
        kill(-pid, 0) == 0 || errno == EPERM
    }

    /// Stops the process and everything it started: SIGTERM to the group, then SIGKILL to the group once `grace` has
    /// passed, unless the group is empty by then. The SIGKILL does not depend on the leader: a shell that dies on
    /// SIGTERM while one of its children ignores it leaves that child in the group, and the child is killed too.
    func stopGroup(grace: Duration) async {
        signalGroup(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while groupExists, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if groupExists { signalGroup(SIGKILL) }
    }
}
