//! `ttx packet`: the exercise packet (Situation Manual and MSEL), Markdown and HTML, written
//! under free names in a folder.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{self, Outputs};
use ttx::report::packet::Packet;

/// Arguments of `ttx packet`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    scenario: Option<PathBuf>,
    /// Folder to write into; files are named <scenario>-sitman-<date>.md (.html) and
    /// <scenario>-msel-<date>.md (.html), with -2, -3, ... added rather than replacing a file.
    #[arg(long, short = 'o', value_name = "DIR", default_value = "reports")]
    out: PathBuf,
}

/// Writes the Situation Manual and the MSEL, Markdown and HTML, into `--out`.
pub fn exec(args: Args) -> Result<(), CliError> {
    output::refuse_stdout_folder(&args.out, "--out")?;
    let loaded = super::load_scenario(args.scenario.as_deref())?;
    let packet = Packet::new(&loaded.scenario);
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
