//! The `vangnet` binary: parses the command line and hands over to the library.

/// mimalloc rather than glibc's allocator: a request passes many small
/// allocations between the two worker threads, and glibc's `free` and
/// `malloc_consolidate` were a sixth of a kept answer's time
/// (bench/RESULTS.md, "Load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vangnet::cli::main()
}
