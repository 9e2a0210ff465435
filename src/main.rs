use std::io::BufRead;
use std::net::TcpListener;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use ferry::app::AppContext;
use ferry::cli::{Cli, Command, TokenCommand, UserCommand};
use ferry::config::Settings;
use ferry::{accounts, serve};

const DEMO_EMAIL: &str = "demo@example.test";
const DEMO_PASSWORD: &str = "ferry-demo";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command {
        Command::Serve => run_server(AppContext::start(settings).await?).await,
        Command::Worker { concurrency } => {
            let context = AppContext::start(settings).await?;
            serve::work(context, concurrency, serve::shutdown_signal()).await;
            Ok(())
        }
        Command::Migrate => {
            AppContext::start(settings).await?;
            println!("Migrations are up to date.");
            Ok(())
        }
        Command::Demo { orders } => run_demo(settings, orders).await,
        Command::Seed { user, orders, seed } => run_seed(settings, &user, orders, seed).await,
        Command::User {
            command: UserCommand::Create { email },
        } => create_user(settings, &email).await,
        Command::Token {
            command: TokenCommand::Create { email, name },
        } => create_token(settings, &email, &name).await,
    }
}

async fn run_server(context: AppContext) -> anyhow::Result<()> {
    let listener = TcpListener::bind(context.settings.bind)?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    serve::serve(context, listener, serve::shutdown_signal()).await
}

async fn run_demo(settings: Settings, orders: u64) -> anyhow::Result<()> {
    let context = AppContext::start(settings).await?;
    let mut conn = context.db.conn().await?;
    if accounts::find_user_by_email(&mut conn, DEMO_EMAIL)
        .await?
        .is_none()
    {
        let user = accounts::create_user(&mut conn, DEMO_EMAIL, DEMO_PASSWORD).await?;
        drop(conn);
        let options = ferry::seed::SeedOptions {
            seed: 1,
            now: chrono::Utc::now().naive_utc(),
        };
        let summary = ferry::seed::seed_orders(&context.db, user.id, orders, &options).await?;
        context.db.analyze().await?;
        println!(
            "Seeded the demo account with {} orders and {} customers.",
            summary.orders, summary.customers
        );
    }

    println!();
    println!("Ferry is running at {}", context.settings.base_url());
    println!("Sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}");
    println!("Emails are written to {}", context.settings.mail_url());
    println!();
    run_server(context).await
}

async fn run_seed(settings: Settings, email: &str, orders: u64, seed: u64) -> anyhow::Result<()> {
    let context = AppContext::start(settings).await?;
    let mut conn = context.db.conn().await?;
    let Some(user) = accounts::find_user_by_email(&mut conn, email).await? else {
        anyhow::bail!(
            "no account has the email {email:?}; create it with `ferry user create EMAIL`"
        );
    };
    drop(conn);

    let started = std::time::Instant::now();
    let options = ferry::seed::SeedOptions {
        seed,
        now: chrono::Utc::now().naive_utc(),
    };
    let summary = ferry::seed::seed_orders(&context.db, user.id, orders, &options).await?;
    context.db.analyze().await?;
    println!(
        "Seeded {} orders, {} order items, {} payments, {} customers and {} products in {:.1} s.",
        summary.orders,
        summary.order_items,
        summary.payments,
        summary.customers,
        summary.products,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Reads the password from the first line of standard input, so that it
/// never appears in the process list or shell history.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn create_user(settings: Settings, email: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let context = AppContext::start(settings).await?;
    let mut conn = context.db.conn().await?;
    let user = accounts::create_user(&mut conn, email, &password).await?;
    println!("Created account {} (id {}).", user.email, user.id);
    Ok(())
}

async fn create_token(settings: Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let context = AppContext::start(settings).await?;
    let mut conn = context.db.conn().await?;
    let Some(user) = accounts::find_user_by_email(&mut conn, email).await? else {
        anyhow::bail!(
            "no account has the email {email:?}; create it with `ferry user create EMAIL`"
        );
    };
    let token = accounts::create_token(&mut conn, user.id, name).await?;
    println!("{token}");
    Ok(())
}
