//! `ntn`: the command line of the ntn NTN direct-to-device stack and simulator.
//!
//! One module per subcommand; the protocol and orbit code lives in the library crates.

mod channel_cmd;
mod common;
mod conformance;
mod coverage_cmd;
mod link_budget_cmd;
mod link_sim_cmd;
mod mac_cmd;
mod nas_cmd;
mod nbiot;
mod orbit_cmd;
mod output;
mod pass;
mod plot;
mod rrc_cmd;
mod tree;

use clap::{Parser, Subcommand};

/// 3GPP NTN direct-to-device (NB-IoT NTN, NR NTN) stack and simulator.
#[derive(Parser, Debug)]
#[command(name = "ntn", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The main job: the next pass over the terminal, with its Doppler, delay and timing
    /// advance curves (built-in default: CBERS 2 over Montréal, NB-IoT NTN in n256).
    Pass(pass::PassArgs),
    /// Orbit analysis: tracks, passes, broadcast ephemeris.
    #[command(subcommand)]
    Orbit(orbit_cmd::OrbitCmd),
    /// Run every conformance suite whose vectors are present; a pass/fail table per block.
    Conformance(conformance::ConformanceArgs),
    /// Constellation coverage over a ground grid: coverage fraction, visible satellites,
    /// outages, best-server elevation/Doppler/delay/C/N, maps; shards and merge (built-in
    /// default: a 528-satellite Walker shell, global 5° grid, 6 h).
    Coverage(coverage_cmd::CoverageArgs),
    /// Link budget: EIRP, G/T, every loss, C/N0 and C/N (TR 38.821 presets sc9-dl, sc6-dl,
    /// sc6-ul; any term overridden; geometry from an elevation or an orbit time).
    LinkBudget(link_budget_cmd::LinkBudgetArgs),
    /// Apply the NTN channel (orbit delay/Doppler, NTN-TDL fading, AWGN) to a SigMF cf32_le
    /// recording, writing a new SigMF pair.
    Channel(channel_cmd::ChannelArgs),
    /// Link-level error-rate curves (BLER/detection vs SNR) through AWGN or NTN-TDL-C.
    #[command(subcommand)]
    LinkSim(link_sim_cmd::LinkSimCmd),
    /// NB-IoT downlink: scan a recording (cell, offset, MIB-NB, DCIs, SIB1-NB), generate one.
    #[command(subcommand)]
    Nbiot(nbiot::NbiotCmd),
    /// NB-IoT MAC: decode a MAC PDU (subheaders, control elements, SDUs) as text or JSON.
    #[command(subcommand)]
    Mac(mac_cmd::MacCmd),
    /// NB-IoT RRC (TS 36.331): decode UPER hex to a tree or JSON (JER), encode JSON back.
    #[command(subcommand)]
    Rrc(rrc_cmd::RrcCmd),
    /// EPS / 5GS NAS: decode a PDU to a tree (security header, MAC check and deciphering
    /// with keys, then the message and its IEs).
    #[command(subcommand)]
    Nas(nas_cmd::NasCmd),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pass(a) => pass::run(a),
        Command::Orbit(c) => orbit_cmd::run(c),
        Command::Conformance(a) => conformance::run(a),
        Command::Coverage(c) => coverage_cmd::run(c),
        Command::LinkBudget(a) => link_budget_cmd::run(a),
        Command::Channel(a) => channel_cmd::run(a),
        Command::LinkSim(c) => link_sim_cmd::run(c),
        Command::Nbiot(c) => nbiot::run(c),
        Command::Mac(c) => mac_cmd::run(c),
        Command::Rrc(c) => rrc_cmd::run(c),
        Command::Nas(c) => nas_cmd::run(c),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<output::Interrupted>().is_some() => {
            eprintln!("{}", output::interrupted_report());
            std::process::ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
