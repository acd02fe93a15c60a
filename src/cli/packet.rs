//! `ttx packet`: the exercise packet (Situation Manual and MSEL), Markdown and HTML, written
//! under free names in a folder.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{self, Outputs};
use ttx::report::packet::{Packet, WallClock};

/// Arguments of `ttx packet`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    scenario: Option<PathBuf>,
    /// Folder to write into; files are named <scenario>-sitman-<date>.md (.html) and
    /// <scenario>-msel-<date>.md (.html), with -2, -3, ... added rather than replacing a file.
    #[arg(long, short = 'o', value_name = "DIR", default_value = "reports")]
    out: PathBuf,
    /// Give the MSEL a wall-clock time for each timed inject and module: the drill's start
    /// (24-hour HH:MM).
    #[arg(long, value_name = "HH:MM", value_parser = parse_start)]
    start: Option<f64>,
    /// With --start: the speed the drill will run at (`ttx drill --speed`), scenario minutes
    /// per wall-clock minute.
    #[arg(long, requires = "start", default_value_t = 1.0, value_parser = ttx::drill::clock::parse_speed)]
    speed: f64,
}

/// A time of day `HH:MM` as minutes after midnight.
fn parse_start(text: &str) -> Result<f64, String> {
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
        (h < 24 && m < 60 && text.len() == 5).then_some(f64::from(h) * 60.0 + f64::from(m))
    });
    parsed.ok_or_else(|| format!("`{text}` is not a 24-hour time HH:MM (e.g. 09:30)"))
}

/// Writes the Situation Manual and the MSEL, Markdown and HTML, into `--out`.
pub fn exec(args: Args) -> Result<(), CliError> {
    output::refuse_stdout_folder(&args.out, "--out")?;
    let loaded = super::load_scenario(args.scenario.as_deref())?;
    let clock = args.start.map(|start| WallClock {
        start,
        speed: args.speed,
    });
    let packet = Packet::with_clock(&loaded.scenario, clock);
    let name = &loaded.scenario.meta.name;
    let mut files = Vec::new();
    for (document, stem) in [(&packet.sitman, "sitman"), (&packet.msel, "msel")] {
        for (extension, text) in [("md", document.markdown()), ("html", document.html())] {
            let path = ttx::render::paths::free_report_path(
                &args.out,
                &format!("{name}-{stem}"),
                extension,
            );
            files.push((path, text));
        }
    }
    // The four documents of a packet land together or not at all.
    Outputs::new_files().write_all(&files)?;
    for (path, _) in &files {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
