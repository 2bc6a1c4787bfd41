//! `staffbank`: the server and its command line.

mod demo;
mod serve;

use clap::{Parser, Subcommand};

/// Staffbank: NHS bank shifts, booked safely.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and UI.
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// Create a SQLite demo (three Lancashire trusts, a collaborative bank, ~200 workers, ~500
    /// shifts) on first run, print one sign-in per role, and serve it.
    Demo(demo::DemoArgs),
    /// Create a platform administrator (password from STAFFBANK_ADMIN_PASSWORD).
    CreateAdmin {
        /// `sqlite://path` or `postgres://...`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Name.
        #[arg(long, default_value = "Platform administrator")]
        name: String,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    serve::init_tracing();
    match Cli::parse().command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate { database_url } => {
            serve::open_store(&database_url).await?;
            println!("migrated");
            Ok(())
        }
        Command::Demo(args) => demo::run(args).await,
        Command::CreateAdmin {
            database_url,
            email,
            name,
        } => {
            let password = std::env::var("STAFFBANK_ADMIN_PASSWORD")
                .map_err(|_| anyhow::anyhow!("set STAFFBANK_ADMIN_PASSWORD"))?;
            let store = serve::open_store(&database_url).await?;
            demo::create_admin(store.as_ref(), &email, &name, &password).await?;
            println!("created {email}");
            Ok(())
        }
        Command::Openapi => {
            println!("{}", staffbank_web::openapi_json()?);
            Ok(())
        }
    }
}
