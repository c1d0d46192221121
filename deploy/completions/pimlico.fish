# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pimlico_global_optspecs
    string join \n v/variant= local-config= l/override-local-config= p/processes= non-interactive d/debug server= h/help V/version
end

function __fish_pimlico_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pimlico_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pimlico_using_subcommand
    set -l cmd (__fish_pimlico_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pimlico -n "__fish_pimlico_needs_command" -s v -l variant -d 'Load this variant of the pipeline (see the `variants` command)' -r
complete -c pimlico -n "__fish_pimlico_needs_command" -l local-config -l lc -d 'Read the local config from this file only (not ~/.pimlico or host-specific files)' -r -F
complete -c pimlico -n "__fish_pimlico_needs_command" -s l -l override-local-config -l local -d 'Override a local config setting for this run (repeatable)' -r
complete -c pimlico -n "__fish_pimlico_needs_command" -s p -l processes -d 'Number of processes modules may use (same as `-l processes=N`)' -r
complete -c pimlico -n "__fish_pimlico_needs_command" -l server -d 'Act on this pimlicod server (a name in ~/.config/pimlico/servers.toml, or a URL): status, run, reset, unlock, logs, verify and diff' -r
complete -c pimlico -n "__fish_pimlico_needs_command" -l non-interactive -d 'Never ask questions or draw progress bars (also when PIM_NON_INT is set)'
complete -c pimlico -n "__fish_pimlico_needs_command" -s d -l debug -d 'Print debugging detail (error logs in full)'
complete -c pimlico -n "__fish_pimlico_needs_command" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_needs_command" -s V -l version -d 'Print version'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "status" -d 'Show the execution schedule with the status of every module, or one module in detail'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "variants" -d 'List the pipeline\'s variants'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "run" -d 'Execute modules (checking all of them first)'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "reset" -d 'Delete modules\' output in every store and restore them to unexecuted state'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "clean" -d 'Remove directories in the stores that belong to no module of this variant'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "stores" -d 'List the stores and their paths (output store first)'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "movestores" -d 'Move modules\' data to another store, whole'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "unlock" -d 'Remove a module\'s execution lock'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "deps" -d 'Check software dependencies of modules'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "inputs" -d 'Show where a module\'s inputs are read from'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "output" -d 'Show where a module\'s output is written'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "modules" -d 'List the modules of the loaded variant'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "check" -d 'Load and check the pipeline (types and connections)'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "dump" -d 'Dump modules\' data to files, to load them on another machine'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "load" -d 'Load modules\' data from files made by `dump`'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "logs" -d 'Show the log of a module\'s latest run on a daemon (with --server)'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "pull" -d 'Fetch modules\' data from a daemon into the local stores'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "push" -d 'Send modules\' data from the local stores to a daemon'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "transfer" -d 'Move modules\' data from one daemon to another'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "verify" -d 'Re-check a module\'s stored data against its recorded manifest (here or with --server)'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "diff" -d 'List the files of a module that differ between two servers, or a server and here'
complete -c pimlico -n "__fish_pimlico_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s d -l deps-of -d 'Only show this module and the modules it depends on' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s x -l expand -d 'Expand this section (`1.2`; `1.2.` for its whole subtree). Repeatable' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s a -l all -d 'List every module, not only those in the execution schedule'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -l alias -d 'Show module aliases after the modules'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s s -l short -d 'Group module names by status'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s i -l history -d 'With a module: also show its execution history'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -l no-color -l nc -d 'No terminal colours'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -l no-sections -l ns -d 'No section headings, just the modules'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -l expand-all -l xa -d 'Expand every section heading'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -l json -d 'Print the status as JSON (the daemon\'s format)'
complete -c pimlico -n "__fish_pimlico_using_subcommand status" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand variants" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -s f -l force-rerun -d 'Run modules even if they have already completed'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -s a -l all-deps -d 'Also run the given modules\' unexecuted dependencies, first'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -l all -d 'Run every module that can run now, or once the earlier ones have'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -l dry-run -l dry -l check -d 'Only run the checks'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -l exit-on-error -d 'Stop at the first module that fails (and print its error log)'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -s e -l last-error -d 'Print the last error log of the given modules instead of running them'
complete -c pimlico -n "__fish_pimlico_using_subcommand run" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand reset" -s n -l no-deps -d 'Reset only these modules, not the executed modules that depend on them'
complete -c pimlico -n "__fish_pimlico_using_subcommand reset" -s f -l force-deps -d 'Also reset executed dependent modules without asking'
complete -c pimlico -n "__fish_pimlico_using_subcommand reset" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand clean" -s y -l yes -d 'Remove them without asking'
complete -c pimlico -n "__fish_pimlico_using_subcommand clean" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand stores" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand movestores" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand unlock" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand deps" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand inputs" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand output" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand modules" -l json -d 'Print the module list as JSON'
complete -c pimlico -n "__fish_pimlico_using_subcommand modules" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand check" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand dump" -s o -l output -d 'Directory to write the dumps to (created if missing). Defaults to your home directory' -r -F
complete -c pimlico -n "__fish_pimlico_using_subcommand dump" -l compression -d 'Compression: gzip (.tar.gz, readable by the original Pimlico), zstd (.tar.zst) or none (.tar)' -r -f -a "gzip\t'gzip, the original\'s format'
zstd\t'Zstandard: faster and smaller; the original cannot read it'
none\t'An uncompressed tar, for data that is already compressed'"
complete -c pimlico -n "__fish_pimlico_using_subcommand dump" -s i -l inputs -d 'Dump the modules whose data feeds the named modules\' inputs (through filters and views), instead of the named modules'
complete -c pimlico -n "__fish_pimlico_using_subcommand dump" -l force -d 'Dump modules even while they are locked by a running execution'
complete -c pimlico -n "__fish_pimlico_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pimlico -n "__fish_pimlico_using_subcommand load" -s f -l force-overwrite -d 'Replace a module\'s existing data without asking'
complete -c pimlico -n "__fish_pimlico_using_subcommand load" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand logs" -s f -l follow -d 'Keep printing new lines until the run ends'
complete -c pimlico -n "__fish_pimlico_using_subcommand logs" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -l from -d 'The server to fetch from (a name in servers.toml, or a URL)' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -l compression -d 'Compression on the wire: zstd (default), gzip or none' -r -f -a "zstd\t''
gzip\t''
none\t''"
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -s f -l force-overwrite -d 'Replace data that already exists at the destination'
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -l ignore-definition-mismatch -d 'Move the data even if the two sides define the module differently'
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -l json -d 'Print the result as JSON instead of progress and messages'
complete -c pimlico -n "__fish_pimlico_using_subcommand pull" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -l to -d 'The server to send to' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -l compression -d 'Compression on the wire: zstd (default), gzip or none' -r -f -a "zstd\t''
gzip\t''
none\t''"
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -s f -l force-overwrite -d 'Replace data that already exists at the destination'
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -l ignore-definition-mismatch -d 'Move the data even if the two sides define the module differently'
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -l json -d 'Print the result as JSON instead of progress and messages'
complete -c pimlico -n "__fish_pimlico_using_subcommand push" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l from -d 'The server holding the data' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l to -d 'The server to move it to' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l compression -d 'Compression on the wire: zstd (default), gzip or none' -r -f -a "zstd\t''
gzip\t''
none\t''"
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l via-client -d 'Stream the data through this machine (when the destination cannot reach the source)'
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -s f -l force-overwrite -d 'Replace data that already exists at the destination'
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l ignore-definition-mismatch -d 'Move the data even if the two sides define the module differently'
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -l json -d 'Print the result as JSON instead of progress and messages'
complete -c pimlico -n "__fish_pimlico_using_subcommand transfer" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand verify" -l server -d 'Check the data on this server instead of the local stores' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand verify" -l json -d 'Print the result as JSON'
complete -c pimlico -n "__fish_pimlico_using_subcommand verify" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand diff" -l server -d 'A server to compare (twice for two servers; once to compare it with the local stores)' -r
complete -c pimlico -n "__fish_pimlico_using_subcommand diff" -l json -d 'Print the differences as JSON'
complete -c pimlico -n "__fish_pimlico_using_subcommand diff" -s h -l help -d 'Print help'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "status" -d 'Show the execution schedule with the status of every module, or one module in detail'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "variants" -d 'List the pipeline\'s variants'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "run" -d 'Execute modules (checking all of them first)'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "reset" -d 'Delete modules\' output in every store and restore them to unexecuted state'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "clean" -d 'Remove directories in the stores that belong to no module of this variant'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "stores" -d 'List the stores and their paths (output store first)'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "movestores" -d 'Move modules\' data to another store, whole'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "unlock" -d 'Remove a module\'s execution lock'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "deps" -d 'Check software dependencies of modules'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "inputs" -d 'Show where a module\'s inputs are read from'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "output" -d 'Show where a module\'s output is written'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "modules" -d 'List the modules of the loaded variant'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "check" -d 'Load and check the pipeline (types and connections)'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "dump" -d 'Dump modules\' data to files, to load them on another machine'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "load" -d 'Load modules\' data from files made by `dump`'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "logs" -d 'Show the log of a module\'s latest run on a daemon (with --server)'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "pull" -d 'Fetch modules\' data from a daemon into the local stores'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "push" -d 'Send modules\' data from the local stores to a daemon'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "transfer" -d 'Move modules\' data from one daemon to another'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "verify" -d 'Re-check a module\'s stored data against its recorded manifest (here or with --server)'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "diff" -d 'List the files of a module that differ between two servers, or a server and here'
complete -c pimlico -n "__fish_pimlico_using_subcommand help; and not __fish_seen_subcommand_from status variants run reset clean stores movestores unlock deps inputs output modules check dump load logs pull push transfer verify diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
