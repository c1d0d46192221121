complete -c pimlicod -l config -d 'Settings file (TOML); options given here override it' -r -F
complete -c pimlicod -l listen -d 'Address to listen on [default: 127.0.0.1:7878]' -r
complete -c pimlicod -l pipeline -d 'A pipeline config to serve (repeatable)' -r -F
complete -c pimlicod -l local-config -d 'Local config file for every pipeline (else ~/.pimlico, as the CLI)' -r -F
complete -c pimlicod -l token-file -d 'File holding the bearer token clients must send' -r -F
complete -c pimlicod -l tls-cert -d 'PEM certificate chain: serve HTTPS' -r -F
complete -c pimlicod -l tls-key -d 'PEM private key of the certificate' -r -F
complete -c pimlicod -l port-file -d 'Write the bound address here once listening (for scripts that listen on port 0)' -r -F
complete -c pimlicod -l state-dir -d 'Where run logs are kept [default: $XDG_STATE_HOME/pimlicod]' -r -F
complete -c pimlicod -l max-concurrent-runs -d 'Runs executing at once [default: 1]' -r
complete -c pimlicod -l insecure-no-auth -d 'Allow a non-loopback address without a token (trusted networks only)'
complete -c pimlicod -s h -l help -d 'Print help'
complete -c pimlicod -s V -l version -d 'Print version'
