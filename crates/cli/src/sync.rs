//! The backend commands: `backend migrate|sign-in|sign-out` and `sync` (one cycle, status,
//! conflicts, issues).

use std::io::{Read, Write};

use clap::Subcommand;
use ringdesk_app::{App, ErrorCode, IpcError};

use crate::{emit_json, io};

#[derive(Subcommand, Debug)]
pub enum BackendCommand {
    /// Applies Ringdesk's backend migrations (idempotent) to a PostgreSQL database, such as a
    /// Supabase or Neon project's, with an owner's connection URL.
    Migrate {
        /// postgres://owner:password@host:5432/postgres?sslmode=require
        #[arg(long, env = "RINGDESK_BACKEND_ADMIN_URL", hide_env_values = true)]
        url: String,
    },
    /// Signs in to the Supabase project in Settings; the password is read from standard input.
    SignIn {
        #[arg(long)]
        email: String,
    },
    /// Signs out (local data and pending changes stay).
    SignOut,
}

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Where sync stands (pending changes, conflicts, issues).
    Status,
    /// Conflicts to resolve.
    Conflicts,
    /// Resolves a conflict by keeping the backend's value or applying yours again.
    Resolve {
        id: String,
        #[arg(long, value_parser = ["mine", "server"])]
        keep: String,
    },
    /// What replication could not take as it was (rejected changes, bad backend rows).
    Issues {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// `backend migrate` needs no local database, so it runs before the app opens.
pub fn migrate(url: &str, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let applied = ringdesk_app::migrate_backend(url)?;
    if json {
        return emit_json(out, &applied);
    }
    if applied.is_empty() {
        writeln!(out, "the backend is up to date").map_err(io)
    } else {
        writeln!(out, "applied {}", applied.join(", ")).map_err(io)
    }
}

pub fn backend(app: &App, cmd: &BackendCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let settings = match cmd {
        BackendCommand::Migrate { url } => return migrate(url, json, out),
        BackendCommand::SignIn { email } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| {
                IpcError::new(ErrorCode::Io, format!("Could not read the password from standard input: {e}"))
            })?;
            app.backend_sign_in(email, password.trim_end_matches(['\r', '\n']))?
        }
        BackendCommand::SignOut => app.backend_sign_out()?,
    };
    if json {
        return emit_json(out, &settings);
    }
    if settings.backend_signed_in {
        writeln!(out, "signed in as {}", settings.backend_email).map_err(io)
    } else {
        writeln!(out, "signed out").map_err(io)
    }
}

pub fn sync(app: &App, cmd: Option<&SyncCommand>, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        None => {
            let r = app.sync_now()?;
            if json {
                return emit_json(out, &r);
            }
            writeln!(
                out,
                "pushed {} (rejected {}), pulled {}, removed {}, conflicts {}, issues {}, pending {} — {} ms",
                r.pushed, r.rejected, r.pulled, r.removed, r.conflicts, r.issues, r.pending, r.millis
            )
            .map_err(io)?;
            if r.resynced {
                writeln!(out, "the backend asked for a full resync; done").map_err(io)?;
            }
            if r.rotated {
                writeln!(out, "this database was a copy: it now syncs under a new client id").map_err(io)?;
            }
            Ok(())
        }
        Some(SyncCommand::Status) => {
            let s = app.sync_status();
            if json {
                return emit_json(out, &s);
            }
            writeln!(
                out,
                "{:?}: {} pending, {} conflicts, {} issues, last synced {}",
                s.state,
                s.pending,
                s.conflicts,
                s.issues,
                s.last_synced_at.as_deref().unwrap_or("never")
            )
            .map_err(io)?;
            if let Some(e) = &s.error {
                writeln!(out, "{e}").map_err(io)?;
            }
            Ok(())
        }
        Some(SyncCommand::Conflicts) => {
            let c = app.sync_conflicts()?;
            if json {
                return emit_json(out, &c);
            }
            for c in &c {
                writeln!(
                    out,
                    "{}  {} {}: yours {:?}, backend {:?}",
                    c.id,
                    c.lead_name.as_deref().unwrap_or(&c.lead_id),
                    c.field,
                    c.your_value.as_deref().unwrap_or(""),
                    c.server_value.as_deref().unwrap_or("")
                )
                .map_err(io)?;
            }
            Ok(())
        }
        Some(SyncCommand::Resolve { id, keep }) => {
            let left = app.resolve_sync_conflict(id, keep == "mine")?;
            if json {
                return emit_json(out, &left);
            }
            writeln!(out, "resolved; {} left", left.len()).map_err(io)
        }
        Some(SyncCommand::Issues { limit }) => {
            let issues = app.sync_issues(*limit)?;
            if json {
                return emit_json(out, &issues);
            }
            for i in &issues {
                writeln!(out, "{}  {} {} {}: {}", i.created_at, i.kind, i.table, i.row_id, i.message).map_err(io)?;
            }
            Ok(())
        }
    }
}
