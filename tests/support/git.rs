//! Git in a test directory.

/// Runs `git args` in `dir` with a throwaway identity; panics with git's stderr on failure.
pub fn git(dir: &std::path::Path, args: &[&str]) {
    let s = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        s.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&s.stderr)
    );
}
