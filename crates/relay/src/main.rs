//! `folgesvenn-relay serve --listen 127.0.0.1:8787 --db ./relay.db` (see `cli.rs`).

fn main() -> anyhow::Result<()> {
    folgesvenn_relay::cli::main_with(std::env::args_os())
}
