//! Each setting's names agree everywhere a person meets them: the flag, the environment variable,
//! the `--config` key, `--help` and the README.

use std::ffi::OsStr;

use clap::{Arg, CommandFactory, Parser};

use super::Cli;

/// The subcommands that take settings.
const COMMANDS: [&str; 3] = ["serve", "node", "admin"];

/// The settings of `command`, as clap declares them.
fn settings(command: &str) -> Vec<Arg> {
    Cli::command()
        .find_subcommand(command)
        .expect(command)
        .get_arguments()
        .cloned()
        .collect()
}

/// What a person types, derived here from the key on its own, not by the code under test.
fn expected_env(key: &str) -> String {
    format!("FERRY_{}", key.to_uppercase())
}

#[test]
fn every_setting_is_a_flag_and_a_ferry_variable_named_after_its_key() {
    for command in COMMANDS {
        for setting in settings(command) {
            let key = setting.get_id().as_str();
            assert_eq!(
                setting.get_long(),
                Some(key.replace('_', "-").as_str()),
                "{command}: {key}"
            );
            assert_eq!(
                setting.get_env(),
                Some(OsStr::new(&expected_env(key))),
                "{command}: {key}"
            );
        }
    }
    let keys = |command| settings(command).into_iter().map(|s| s.get_id().clone());
    assert!(
        keys("serve").eq(keys("admin")),
        "admin reads serve's settings"
    );
}

#[test]
fn secrets_keep_their_values_out_of_help() {
    let secrets = [
        "admin_password",
        "token_secret",
        "node_token",
        "smtp_password",
        "s3_secret_access_key",
    ];
    for command in COMMANDS {
        for setting in settings(command) {
            let key = setting.get_id().as_str();
            assert_eq!(
                setting.is_hide_env_values_set(),
                secrets.contains(&key),
                "{command}: {key}"
            );
        }
    }
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    for command in COMMANDS {
        let help = Cli::try_parse_from(["ferry", command, "--help"])
            .expect_err("--help stops parsing")
            .to_string();
        // As one line: clap may wrap the help to the terminal (`wrap_help`, which the desktop
        // client's clap turns on for the whole workspace).
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for setting in settings(command) {
            let key = setting.get_id().as_str();
            let flag = format!("--{} <", key.replace('_', "-"));
            assert!(help.contains(&flag), "{command} --help lacks {flag}");
            let env = format!("[env: {}", expected_env(key));
            assert!(help.contains(&env), "{command} --help lacks {env}");
        }
    }
}

/// A row of a settings table in the README: key (`—` for `config`), variable and flag, as written.
struct Row<'a> {
    key: &'a str,
    env: &'a str,
    flag: &'a str,
}

fn readme_rows() -> Vec<Row<'static>> {
    include_str!("../../../README.md")
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", key, env, flag, _default, ""] if env.starts_with("`FERRY_") => Some(Row {
                    key: key.trim_matches('`'),
                    env: env.trim_matches('`'),
                    flag: flag.trim_matches('`'),
                }),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_readme_documents_every_setting_as_declared() {
    let rows = readme_rows();
    let declared: Vec<Arg> = ["serve", "node"].into_iter().flat_map(settings).collect();
    for row in &rows {
        let key = if row.key == "—" { "config" } else { row.key };
        let setting = declared
            .iter()
            .find(|s| s.get_id() == key)
            .unwrap_or_else(|| panic!("the README documents {key}, which is no setting"));
        assert_eq!(row.env, expected_env(key), "README: {key}");
        let value = setting.get_value_names().expect("a value")[0].as_str();
        let flag = format!("--{} {value}", key.replace('_', "-"));
        assert_eq!(row.flag, flag, "README: {key}");
    }
    for setting in declared {
        let key = setting.get_id().as_str();
        let documented = rows
            .iter()
            .any(|row| row.key == key || (key == "config" && row.key == "—"));
        assert!(documented, "the README's tables lack {key}");
    }
}

#[test]
fn help_states_the_defaults_the_checks_apply() {
    use crate::config::{
        DEFAULT_GATEWAY_ADDR, DEFAULT_HTTP_ADDR, DEFAULT_LOG, DEFAULT_NODE_ADDR, DEFAULT_S3_REGION,
    };
    for (command, key, default) in [
        ("serve", "http_addr", DEFAULT_HTTP_ADDR),
        ("serve", "gateway_addr", DEFAULT_GATEWAY_ADDR),
        ("serve", "log", DEFAULT_LOG),
        ("serve", "s3_region", DEFAULT_S3_REGION),
        ("node", "node_addr", DEFAULT_NODE_ADDR),
        ("node", "s3_region", DEFAULT_S3_REGION),
    ] {
        let setting = settings(command)
            .into_iter()
            .find(|s| s.get_id() == key)
            .expect(key);
        let help = setting.get_help().expect("help").to_string();
        assert!(
            help.contains(&format!("[default: {default}]")),
            "{command} {key}: {help}"
        );
    }
}
