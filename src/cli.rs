//! Command-line interface: `ferry serve`, `worker`, `migrate`, `demo`,
//! `seed`, `user create` and `token create`.

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Parser, Debug)]
#[command(
    name = "ferry",
    version,
    about = "Background exports of user data with live progress, signed links and email"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web application, with in-process job workers.
    Serve,
    /// Run job workers only, without the web server.
    Worker {
        /// Number of concurrent jobs this process runs.
        #[arg(long, env = "FERRY_WORKER_CONCURRENCY", default_value_t = 2)]
        concurrency: usize,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a demo account with sample data, then serve.
    Demo {
        /// Orders to seed into the demo account on first start.
        #[arg(long, default_value_t = 5_000)]
        orders: u64,
    },
    /// Add deterministic sample records to an account.
    Seed {
        /// Email of the account that receives the records.
        #[arg(long)]
        user: String,
        /// Number of orders; customers and products are sized to match.
        #[arg(long)]
        orders: u64,
        /// Random seed: the same seed gives the same records.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create { email: String },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for an account and print it.
    Create {
        email: String,
        /// A label that reminds you where the token is used.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}
