//! Precedence and validation of settings.

use std::io::Write;

use super::*;
use crate::cli::NodeArgs;

fn args() -> ServeArgs {
    ServeArgs::default()
}

#[test]
fn defaults_are_the_embedded_setup() {
    let config = Config::merge(&args(), FileConfig::default()).expect("defaults are valid");
    assert_eq!(config.data_dir, PathBuf::from("data"));
    assert_eq!(config.database_url, "sqlite://data/ferry.db?mode=rwc");
    assert_eq!(config.http_addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.gateway_addr.to_string(), "127.0.0.1:4001");
    assert_eq!(config.gateway_log, PathBuf::from("data/logs/gateway.log"));
    assert_eq!(config.tls, TlsMode::Off);
    assert_eq!(config.admin_username, "admin");
    assert!(config.admin_password.is_none());
}

#[test]
fn flags_win_over_the_file_and_the_file_over_defaults() {
    let file: FileConfig = r#"
        data_dir = "/srv/ferry"
        http_addr = "0.0.0.0:9000"
        gateway_addr = "0.0.0.0:9001"
        "#
    .parse()
    .expect("valid toml");
    let mut args = args();
    args.http_addr = Some("127.0.0.1:7000".into());
    let config = Config::merge(&args, file).expect("valid");
    assert_eq!(config.http_addr.to_string(), "127.0.0.1:7000");
    assert_eq!(config.gateway_addr.to_string(), "0.0.0.0:9001");
    assert_eq!(config.data_dir, PathBuf::from("/srv/ferry"));
    assert_eq!(config.database_url, "sqlite:///srv/ferry/ferry.db?mode=rwc");
}

#[test]
fn a_config_file_is_read_from_disk_and_unknown_keys_are_named() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    writeln!(file, "htp_addr = \"1.2.3.4:1\"").expect("write");
    let mut args = args();
    args.config = Some(file.path().to_owned());
    let err = Config::load(&args).expect_err("unknown key");
    assert_eq!(err.name, "config");
    assert!(err.reason.contains("htp_addr"), "{}", err.reason);
}

#[test]
fn bad_values_name_the_setting() {
    type Case = (fn(&mut ServeArgs), &'static str);
    let cases: Vec<Case> = vec![
        (|a| a.http_addr = Some("localhost".into()), "http_addr"),
        (
            |a| a.gateway_addr = Some("127.0.0.1:8080".into()),
            "gateway_addr",
        ),
        (
            |a| a.database_url = Some("mysql://x".into()),
            "database_url",
        ),
        (|a| a.tls = Some("yes".into()), "tls"),
        (|a| a.tls = Some("files".into()), "tls_cert"),
        (|a| a.tls_cert = Some("cert.pem".into()), "tls_key"),
        (
            |a| a.admin_password = Some("short".into()),
            "admin_password",
        ),
        (|a| a.admin_username = Some("a b".into()), "admin_username"),
        (
            |a| a.gateway_public_url = Some("ftp://x".into()),
            "gateway_public_url",
        ),
        (|a| a.log = Some("info,[".into()), "log"),
        (
            |a| a.token_secret = Some("too short".into()),
            "token_secret",
        ),
        (
            |a| a.max_file_size = Some("12 parsecs".into()),
            "max_file_size",
        ),
        (|a| a.max_file_size = Some("0".into()), "max_file_size"),
        (
            |a| a.trusted_proxies = Some("10.0.0.1, proxy".into()),
            "trusted_proxies",
        ),
        (
            |a| a.allowed_hosts = Some("ferry.lan, https://ferry.lan:8080".into()),
            "allowed_hosts",
        ),
    ];
    for (set, name) in cases {
        let mut args = args();
        set(&mut args);
        let err = Config::merge(&args, FileConfig::default()).expect_err(name);
        assert_eq!(err.name, name, "{err}");
        assert!(err.to_string().contains(&err.env()), "{err}");
    }
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let mut args = args();
    args.admin_password = Some("correct horse battery".into());
    let config = Config::merge(&args, FileConfig::default()).expect("valid");
    let debug = format!("{config:?}");
    assert!(!debug.contains("correct horse"), "{debug}");
    assert!(debug.contains("[redacted]"));
}

#[test]
fn cert_and_key_select_files_mode() {
    let mut args = args();
    args.tls_cert = Some("c.pem".into());
    args.tls_key = Some("k.pem".into());
    let config = Config::merge(&args, FileConfig::default()).expect("valid");
    assert_eq!(
        config.tls,
        TlsMode::Files {
            cert: "c.pem".into(),
            key: "k.pem".into()
        }
    );
    assert_eq!(config.scheme(), "https");
}

#[test]
fn sizes_take_units() {
    assert_eq!(parse_size("1234"), Ok(1234));
    assert_eq!(parse_size("500MiB"), Ok(500 << 20));
    assert_eq!(parse_size("2 GB"), Ok(2_000_000_000));
    assert_eq!(parse_size("100GiB"), Ok(100 << 30));
    assert!(parse_size("-1").is_err());
    assert!(parse_size("99999999999TiB").is_err());
}

#[test]
fn trusted_proxies_are_a_list_of_addresses() {
    let mut args = args();
    args.trusted_proxies = Some("10.0.0.1, ::1".into());
    let config = Config::merge(&args, FileConfig::default()).expect("valid");
    let expected: Vec<std::net::IpAddr> = vec!["10.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    assert_eq!(config.trusted_proxies, expected);
    assert!(
        Config::merge(&ServeArgs::default(), FileConfig::default())
            .expect("valid")
            .trusted_proxies
            .is_empty()
    );
}

#[test]
fn email_settings_come_from_the_file_under_flags_and_stay_off_by_default() {
    let config = Config::merge(&args(), FileConfig::default()).expect("valid");
    assert!(config.mail.is_none(), "email is off without smtp_host");

    let file: FileConfig = r#"
        smtp_host = "smtp.example.com"
        smtp_port = "2525"
        smtp_tls = "tls"
        smtp_username = "ferry"
        smtp_password = "file-secret-password"
        smtp_from = "Ferry <ferry@example.com>"
        public_url = "https://ferry.example.com"
        "#
    .parse()
    .expect("valid toml");
    let mut args = args();
    args.smtp_port = Some("465".into());
    let config = Config::merge(&args, file).expect("valid");
    let mail = config.mail.as_ref().expect("email on");
    assert_eq!(mail.host, "smtp.example.com");
    assert_eq!(mail.port, 465, "the flag wins over the file");
    assert_eq!(mail.tls, SmtpTls::Tls);
    assert_eq!(
        mail.link("/packages/1"),
        "https://ferry.example.com/packages/1"
    );
    assert!(!format!("{config:?}").contains("file-secret-password"));

    let file: FileConfig = "smtp_host = \"smtp.example.com\""
        .parse()
        .expect("valid toml");
    let err = Config::merge(&ServeArgs::default(), file).expect_err("no sender");
    assert_eq!(err.name, "smtp_from");
    assert!(err.to_string().contains("FERRY_SMTP_FROM"), "{err}");
}

#[test]
fn allowed_hosts_are_lower_cased_names() {
    let mut args = args();
    args.allowed_hosts = Some(" Ferry.LAN ,files.example.com,, ".into());
    let config = Config::merge(&args, FileConfig::default()).expect("valid");
    assert_eq!(config.allowed_hosts, ["ferry.lan", "files.example.com"]);
}

#[test]
fn every_setting_of_serve_and_node_can_come_from_the_file() {
    for key in file::keys() {
        let value = match *key {
            "s3_path_style" | "s3_allow_http" => "true",
            _ => "\"x\"",
        };
        let file: FileConfig = format!("{key} = {value}").parse().expect(key);
        let read = format!("{:?} {:?}", file.serve, file.node);
        let none = format!("{:?} {:?}", ServeArgs::default(), NodeArgs::default());
        assert_ne!(read, none, "{key} is read into no setting");
    }
    let err = "config = \"other.toml\""
        .parse::<FileConfig>()
        .expect_err("no setting");
    assert!(err.to_string().contains("unknown field `config`"), "{err}");
}

#[test]
fn a_bad_file_is_named_at_its_line() {
    for (text, line, what) in [
        (
            "data_dir = \"d\"\nhtp_addr = \"x\"",
            2,
            "unknown field `htp_addr`",
        ),
        (
            "data_dir = \"d\"\n\ns3_path_style = \"yes\"",
            3,
            "expected a boolean",
        ),
        ("data_dir = [1]", 1, "expected"),
    ] {
        let err = text.parse::<FileConfig>().expect_err(text).to_string();
        assert!(err.contains(&format!("line {line}")), "{err}");
        assert!(err.contains(what), "{err}");
    }
}
