//! The facilitator's console on a terminal: line editing and history (rustyline), the drill's
//! lines printed above the line being typed instead of into it, and a prompt that shows the
//! scenario clock (`[T+1:23:45 x5 running] > `), refreshed with every line printed and every
//! line entered.
//!
//! Used only when standard input is a terminal; piped input is read line by line as before
//! (the tests drive the console through a pipe). It only reads lines and prints: what a line
//! does is the live loop's business.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustyline::error::ReadlineError;
use rustyline::{Config, DefaultEditor, ExternalPrinter};
use tokio::sync::mpsc;

use super::clock::{Clock, format_minutes};

/// The terminal console, once open: its lines, its printer and its prompt.
pub struct Terminal {
    /// The lines typed (closed on Ctrl-D).
    pub lines: mpsc::Receiver<String>,
    /// Prints above the line being typed.
    pub out: Box<dyn Write + Send>,
    /// The prompt the next redraw shows.
    pub prompt: Prompt,
}

/// The prompt, shared with the reading thread, and how many lines the loop has handled.
#[derive(Clone, Default)]
pub struct Prompt(Arc<(Mutex<String>, AtomicU64)>);

impl Prompt {
    /// Sets the prompt the next redraw shows.
    pub fn set(&self, prompt: String) {
        if let Ok(mut shown) = self.0.0.lock() {
            *shown = prompt;
        }
    }

    /// The loop has handled a typed line (and set the prompt after it): the next prompt
    /// shows what the line did (`pause` shows `paused`).
    pub fn line_handled(&self) {
        self.0.1.fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self) -> String {
        self.0.0.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn handled(&self) -> u64 {
        self.0.1.load(Ordering::SeqCst)
    }
}

/// The prompt for `clock`: scenario time, speed, running or paused
/// (`[T+1:23:45 x5 running] > `).
pub fn prompt(clock: &Clock) -> String {
    let state = if clock.paused() { "paused" } else { "running" };
    format!(
        "[{} x{} {state}] > ",
        format_minutes(clock.now()),
        clock.speed()
    )
}

/// Opens the terminal console on its own thread, or `None` when standard input or output is
/// not a terminal (or the line editor cannot start): the caller then reads lines as they come.
pub fn open(prompt: Prompt) -> Option<Terminal> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return None;
    }
    let config = Config::builder().auto_add_history(true).build();
    let mut editor = DefaultEditor::with_config(config).ok()?;
    let printer = editor.create_external_printer().ok()?;
    let (send, lines) = mpsc::channel::<String>(16);
    let shown = prompt.clone();
    std::thread::spawn(move || {
        loop {
            match editor.readline(&shown.get()) {
                Ok(line) => {
                    let before = shown.handled();
                    if send.blocking_send(line).is_err() {
                        break;
                    }
                    // Prompt again once the loop has handled it (a second at most).
                    let deadline = Instant::now() + Duration::from_secs(1);
                    while shown.handled() == before && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                // Ctrl-C stops ttx as it did before the line editor took the terminal: every
                // entry is on disk, and `ttx drill --resume` continues.
                Err(ReadlineError::Interrupted) => std::process::exit(130),
                // Ctrl-D, or the terminal went away: the console closes, the play goes on.
                Err(_) => break,
            }
        }
    });
    Some(Terminal {
        lines,
        out: Box::new(LinePrinter {
            printer: Box::new(printer),
            pending: Vec::new(),
        }),
        prompt,
    })
}

/// A writer that hands each whole line to the line editor's printer, which prints it above
/// the line being typed and redraws the prompt.
struct LinePrinter {
    printer: Box<dyn ExternalPrinter + Send>,
    pending: Vec<u8>,
}

impl Write for LinePrinter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            // With its line break: between two prompts the printer writes the text as is.
            let text = String::from_utf8_lossy(&line).into_owned();
            self.printer
                .print(text)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_shows_the_clock_the_speed_and_whether_it_runs() {
        let mut clock = Clock::new(83.75, 5.0);
        clock.pause();
        assert_eq!(prompt(&clock), "[T+1:23:45 x5 paused] > ");
        let clock = Clock::new(0.0, 0.5);
        assert_eq!(prompt(&clock), "[T+0:00:00 x0.5 running] > ");
    }
}
