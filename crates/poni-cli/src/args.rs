//! The command-line grammar, as poni 0.8 spells it.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "poni", version, about = "Manage a repository of nodes and provision them on Amazon EC2")]
pub struct Cli {
    /// Repository folder [default: $PONI_ROOT, else ~/.poni/default]
    #[arg(short = 'd', long = "root-dir", global = true, value_name = "DIR")]
    pub root_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty repository
    Init,
    /// Add a system (a folder of nodes and systems)
    AddSystem {
        /// Full name, e.g. webshop/frontend
        name: String,
    },
    /// Add one or more nodes
    AddNode(AddNodeArgs),
    /// Set properties on the nodes and systems a pattern matches
    Set {
        /// Regular expression searched in full names
        target: String,
        /// key=value, key:type=value (types: int, float, str, bool, json); dotted keys nest
        #[arg(required = true, value_name = "PROPERTY")]
        properties: Vec<String>,
        /// The pattern must match the whole name
        #[arg(short = 'M', long)]
        full_match: bool,
        /// Print what changed
        #[arg(short, long)]
        verbose: bool,
    },
    /// Remove properties from the nodes and systems a pattern matches
    Unset {
        target: String,
        /// Dotted property names
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
        #[arg(short = 'M', long)]
        full_match: bool,
        #[arg(short, long)]
        verbose: bool,
    },
    /// Delete a node, or a system with everything in it
    Remove {
        /// Exact full name
        name: String,
    },
    /// Rename or move a node or system
    Move { from: String, to: String },
    /// List nodes and systems
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddNodeArgs {
    /// Name, may contain {id} (or a padded {id:02})
    pub name: String,
    /// How many: N (ids 1..N) or N..M
    #[arg(short = 'n', long = "count", default_value = "1", value_name = "N|N..M")]
    pub count: String,
    /// Host name, may contain {id}
    #[arg(short = 'H', long = "host")]
    pub host: Option<String>,
    /// Inherit from the one node this pattern matches
    #[arg(short = 'i', long = "inherit", value_name = "PATTERN")]
    pub inherit: Option<String>,
    /// Copy the parent node's properties
    #[arg(short = 'c', long = "copy-props")]
    pub copy: bool,
    /// The inherit pattern must match the whole name
    #[arg(short = 'M', long)]
    pub full_match: bool,
}

#[derive(Debug, Args, Default)]
pub struct ListArgs {
    /// Regular expression searched in full names
    pub pattern: Option<String>,
    /// Show systems
    #[arg(short = 's', long = "systems")]
    pub systems: bool,
    /// Show nodes (the default when neither -s nor -n is given)
    #[arg(short = 'n', long = "nodes")]
    pub nodes: bool,
    /// Show properties
    #[arg(short = 'p', long = "node-prop")]
    pub props: bool,
    /// Show cloud properties
    #[arg(short = 'o', long = "cloud")]
    pub cloud: bool,
    /// Query each cloud instance's live status
    #[arg(short = 'q', long = "query-status")]
    pub query: bool,
    /// Show as an indented tree
    #[arg(short = 't', long = "tree")]
    pub tree: bool,
    /// One line per property
    #[arg(short = 'l', long = "line-per-prop")]
    pub line_per_prop: bool,
    /// The pattern must match the whole name
    #[arg(short = 'M', long)]
    pub full_match: bool,
}
