//! The `--config` file: TOML whose keys are the settings' own names (`data_dir = "/srv/ferry"`),
//! under the environment and the flags. `ferry serve` and `ferry node` read the same file, each
//! the settings it has; a key that is neither's is an error, so a misspelt setting is never
//! silently ignored.

use std::{collections::BTreeMap, path::Path, str::FromStr, sync::LazyLock};

use clap::{Args, Command};
use serde::{
    Deserialize, Deserializer,
    de::{self, IgnoredAny},
};

use super::{ConfigError, bad};
use crate::cli::{NodeArgs, ServeArgs, StorageArgs};

/// A `--config` file, read as the settings of each command.
#[derive(Debug, Default)]
pub struct FileConfig {
    pub(super) serve: ServeArgs,
    pub(super) node: NodeArgs,
}

impl FileConfig {
    /// Reads the file `--config` names; without one, no setting comes from a file.
    pub fn read(path: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad("config", format!("cannot read {}: {e}", path.display())))?;
        text.parse()
            .map_err(|e| bad("config", format!("{} is not valid: {e}", path.display())))
    }
}

impl FromStr for FileConfig {
    type Err = toml::de::Error;

    /// Reads the whole text (it is small) as the keys, as each command's settings and as the
    /// storage settings both share, each on its own: `#[serde(flatten)]` would lose the line a bad
    /// value is on.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        toml::from_str::<BTreeMap<Key, IgnoredAny>>(text)?;
        let storage: StorageArgs = toml::from_str(text)?;
        Ok(Self {
            serve: ServeArgs {
                storage: storage.clone(),
                ..toml::from_str(text)?
            },
            node: NodeArgs {
                storage,
                ..toml::from_str(text)?
            },
        })
    }
}

/// A key of the file, which must name a setting.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        if keys().contains(&key.as_str()) {
            Ok(Self(key))
        } else {
            Err(de::Error::unknown_field(&key, keys()))
        }
    }
}

/// Every key the file may hold: each setting of `ferry serve` and of `ferry node`, but `config`.
pub(crate) fn keys() -> &'static [&'static str] {
    static COMMANDS: LazyLock<[Command; 2]> = LazyLock::new(|| {
        [
            ServeArgs::augment_args(Command::new("serve")),
            NodeArgs::augment_args(Command::new("node")),
        ]
    });
    static KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut keys = Vec::new();
        for setting in COMMANDS.iter().flat_map(Command::get_arguments) {
            let key = setting.get_id().as_str();
            if key != "config" && !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    });
    &KEYS
}

/// The file writes a switch as a TOML boolean (`s3_path_style = true`); it is checked, like the
/// text a flag or variable gives, with the other settings.
pub(crate) fn switch<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.map(|on| on.to_string()))
}
