//! The facilitator's console on a terminal: line editing and history (rustyline), the drill's
//! lines printed above the line being typed instead of into it, and a prompt that shows the
//! scenario clock (`[T+1:23:45 x5 running] > `), refreshed with every line printed and every
//! line entered.
//!
//! Used only when standard input is a terminal; piped input is read line by line as before
//! (the tests drive the console through a pipe). It only reads lines and prints: what a line
//! does is the live loop's business.

use std::io::Write;
use std::sync::{Arc, Mutex};

use rustyline::error::ReadlineError;
use rustyline::{Config, DefaultEditor, ExternalPrinter};
use tokio::sync::mpsc;

/// The terminal console, once open: its lines, its printer and its prompt.
pub struct Terminal {
    /// The lines typed (closed on Ctrl-D).
    pub lines: mpsc::Receiver<String>,
    /// Prints above the line being typed.
    pub out: Box<dyn Write + Send>,
    /// The prompt the next redraw shows.
    pub prompt: Prompt,
}

/// The prompt, shared with the reading thread.
#[derive(Clone, Default)]
pub struct Prompt(Arc<Mutex<String>>);

impl Prompt {
    /// Sets the prompt the next redraw shows.
    pub fn set(&self, prompt: String) {
        if let Ok(mut shown) = self.0.lock() {
            *shown = prompt;
        }
    }

    fn get(&self) -> String {
        self.0.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

/// The prompt for the clock at `clock` (`T+1:23:45`), `speed`, paused or not.
pub fn prompt(clock: &str, speed: f64, paused: bool) -> String {
    let state = if paused { "paused" } else { "running" };
    format!("[{clock} x{speed} {state}] > ")
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
                    if send.blocking_send(line).is_err() {
                        break;
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
            let text = String::from_utf8_lossy(&line[..end]).into_owned();
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
        assert_eq!(prompt("T+1:23:45", 5.0, false), "[T+1:23:45 x5 running] > ");
        assert_eq!(prompt("T+0:00:00", 0.5, true), "[T+0:00:00 x0.5 paused] > ");
    }
}
