function __keyflow_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __keyflow_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __keyflow_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __keyflow_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __keyflow_parse_tokens -S
    set -l unparsed_tokens (__keyflow_tokens -pc)
    switch $unparsed_tokens[1]
    case 'keyflow'
        __keyflow_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'check'
            __keyflow_parse_subcommand -r 1 'json' 'format=' 'color=' 'version' 'h/help'
        case 'fmt'
            __keyflow_parse_subcommand -r 1 'check' 'diff' 'version' 'h/help'
        case 'plan'
            __keyflow_parse_subcommand -r 2 'json' 'format=' 'color=' 'parallel=' 'sandbox' 'strict' 'allow-self' 'max-steps=' 'max-iterations=' 'endpoint=' 'project=' 'key-file=' 'organization-key-file=' 'organization=' 'insecure' 'context=' 'detailed-exitcode' 'markdown' 'version' 'h/help'
        case 'run'
            __keyflow_parse_subcommand -r 2 'json' 'format=' 'color=' 'parallel=' 'sandbox' 'strict' 'allow-self' 'max-steps=' 'max-iterations=' 'endpoint=' 'project=' 'key-file=' 'organization-key-file=' 'organization=' 'insecure' 'context=' 'version' 'h/help'
        case 'repl'
            __keyflow_parse_subcommand 0 'endpoint=' 'project=' 'key-file=' 'organization-key-file=' 'organization=' 'insecure' 'context=' 'sandbox' 'color=' 'version' 'h/help'
        case 'lsp'
            __keyflow_parse_subcommand 0 'endpoint=' 'project=' 'key-file=' 'organization-key-file=' 'organization=' 'insecure' 'context=' 'version' 'h/help'
        case 'serve'
            __keyflow_parse_subcommand -r 1 'version'
        case 'login'
            __keyflow_parse_subcommand 0 'endpoint=' 'email=' 'insecure' 'context=' 'version' 'h/help'
        case 'logout'
            __keyflow_parse_subcommand 0 'endpoint=' 'insecure' 'context=' 'version' 'h/help'
        case 'doctor'
            __keyflow_parse_subcommand 0 'endpoint=' 'project=' 'key-file=' 'organization-key-file=' 'organization=' 'insecure' 'context=' 'json' 'format=' 'strict' 'version' 'h/help'
        case 'context'
            __keyflow_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __keyflow_parse_subcommand 0 'version' 'h/help'
            case 'show'
                __keyflow_parse_subcommand 1 'version' 'h/help'
            case 'use'
                __keyflow_parse_subcommand 1 'version' 'h/help'
            case 'add'
                __keyflow_parse_subcommand 1 'endpoint=' 'project=' 'organization=' 'api-key-env=' 'api-key-file=' 'organization-key-env=' 'organization-key-file=' 'version' 'h/help'
            case 'remove'
                __keyflow_parse_subcommand 1 'version' 'h/help'
            end
        case 'help'
            __keyflow_parse_subcommand -r 1 'version' 'h/help'
        case 'help'
            __keyflow_parse_subcommand -r 1 'version'
        end
    end
end

function __keyflow_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __keyflow_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __keyflow_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __keyflow_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__keyflow_tokens -p)
    if test -z "$(__keyflow_tokens -t)"
        set -l index (count (__keyflow_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'keyflow' -f
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'check' -d 'Check scripts without touching the network: syntax, names, types, scopes.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'fmt' -d 'Format scripts in the canonical layout (comments kept, meaning unchanged).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'plan' -d 'Show the steps a script would take, without changing anything.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'run' -d 'Run a script: execute its steps against the Keys API.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'repl' -d 'Explore a project\'s keys interactively: each statement runs as it is entered.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'lsp' -d 'Run the language server (LSP over standard input and output) for editors.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'serve' -d 'Run a local Appwrite-compatible Keys API server (the sandbox).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'login' -d 'Sign in to the Appwrite console and store the session for an endpoint.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'logout' -d 'End the stored console session for an endpoint and remove it.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'doctor' -d 'Check the endpoint, the project and the credentials in use.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'context' -d 'Manage named contexts: an endpoint, a project and where their credentials come from.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'help' -d 'Explain a statement, clause, builtin or topic of the language, or a command\'s options.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow check" json' -l 'json' -d 'Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow check" format' -l 'format' -d 'text, json, or github: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).' -rfka 'text json github'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow check" color' -l 'color' -d 'Colour the output: auto (on a terminal without NO_COLOR), always or never.' -rfka 'auto always never'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow check" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow fmt" check' -l 'check' -d 'Only report files whose layout differs; exit 1 if any.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow fmt" diff' -l 'diff' -d 'Print a unified diff to the canonical layout instead of rewriting; exit 1 if there is one.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow fmt" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow fmt" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" json' -l 'json' -d 'Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" format' -l 'format' -d 'text, json, or github: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).' -rfka 'text json github'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" color' -l 'color' -d 'Colour the output: auto (on a terminal without NO_COLOR), always or never.' -rfka 'auto always never'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" parallel' -l 'parallel' -d 'At most this many requests in flight for a bulk statement.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" sandbox' -l 'sandbox' -d 'Use the embedded local sandbox even without a terminal (when no endpoint is set).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" strict' -l 'strict' -d 'Treat warnings that would mislead a run as errors (a create of a name an active key has).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" allow-self' -l 'allow-self' -d 'Let the run delete, retire at once, or cut the scopes or expiry of the API key it authenticates with.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" max-steps' -l 'max-steps' -d 'At most this many steps (creates, updates, deletes, deliveries) in one plan or run.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" max-iterations' -l 'max-iterations' -d 'At most this many loop iterations, over every loop of the script.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" project' -l 'project' -d 'The project id (else APPWRITE_PROJECT_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" key-file' -l 'key-file' -d 'A file holding the API key (else APPWRITE_API_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" organization' -l 'organization' -d 'The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed on every run).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" context' -l 'context' -d 'A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" detailed-exitcode' -l 'detailed-exitcode' -d 'Exit 4 when the plan has changes to make (0: none, 1: error, 2: invalid).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" markdown' -l 'markdown' -d 'Print the plan as Markdown on standard output (for a pull-request comment); diagnostics go to standard error.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" json' -l 'json' -d 'Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" format' -l 'format' -d 'text, json, or github: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).' -rfka 'text json github'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" color' -l 'color' -d 'Colour the output: auto (on a terminal without NO_COLOR), always or never.' -rfka 'auto always never'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" parallel' -l 'parallel' -d 'At most this many requests in flight for a bulk statement.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" sandbox' -l 'sandbox' -d 'Use the embedded local sandbox even without a terminal (when no endpoint is set).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" strict' -l 'strict' -d 'Treat warnings that would mislead a run as errors (a create of a name an active key has).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" allow-self' -l 'allow-self' -d 'Let the run delete, retire at once, or cut the scopes or expiry of the API key it authenticates with.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" max-steps' -l 'max-steps' -d 'At most this many steps (creates, updates, deletes, deliveries) in one plan or run.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" max-iterations' -l 'max-iterations' -d 'At most this many loop iterations, over every loop of the script.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" project' -l 'project' -d 'The project id (else APPWRITE_PROJECT_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" key-file' -l 'key-file' -d 'A file holding the API key (else APPWRITE_API_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" organization' -l 'organization' -d 'The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed on every run).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" context' -l 'context' -d 'A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" project' -l 'project' -d 'The project id (else APPWRITE_PROJECT_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" key-file' -l 'key-file' -d 'A file holding the API key (else APPWRITE_API_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" organization' -l 'organization' -d 'The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed on every run).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" context' -l 'context' -d 'A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" sandbox' -l 'sandbox' -d 'Use the embedded local sandbox even without a terminal (when no endpoint is set).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" color' -l 'color' -d 'Colour the output: auto (on a terminal without NO_COLOR), always or never.' -rfka 'auto always never'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow repl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" project' -l 'project' -d 'The project id (else APPWRITE_PROJECT_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" key-file' -l 'key-file' -d 'A file holding the API key (else APPWRITE_API_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" organization' -l 'organization' -d 'The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed on every run).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" context' -l 'context' -d 'A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow lsp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow serve" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" email' -l 'email' -d 'The console account\'s email (asked for when not given).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" context' -l 'context' -d 'Store the session for this context (else KEYFLOW_CONTEXT, else the current one); its endpoint is the default.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow login" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow logout" endpoint' -l 'endpoint' -d 'The endpoint to sign out of (else APPWRITE_ENDPOINT, else the only stored one).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow logout" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow logout" context' -l 'context' -d 'Sign out of this context\'s stored session (else KEYFLOW_CONTEXT, else the current one).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow logout" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow logout" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" project' -l 'project' -d 'The project id (else APPWRITE_PROJECT_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" key-file' -l 'key-file' -d 'A file holding the API key (else APPWRITE_API_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" organization' -l 'organization' -d 'The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" insecure' -l 'insecure' -d 'Do not verify TLS certificates (a warning is printed on every run).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" context' -l 'context' -d 'A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" json' -l 'json' -d 'Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" format' -l 'format' -d 'text, json, or github: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).' -rfka 'text json github'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" strict' -l 'strict' -d 'Exit 1 on warnings too, not only on failures.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow context" -eq 1' -fa 'list' -d 'List the contexts; * marks the current one.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow context" -eq 1' -fa 'show' -d 'Show a context (else the one in force: KEYFLOW_CONTEXT, else the current one), without secrets.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow context" -eq 1' -fa 'use' -d 'Make a context the current one.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow context" -eq 1' -fa 'add' -d 'Add a context.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow context" -eq 1' -fa 'remove' -d 'Remove a context (and forget its stored session on this machine).'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context list" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context show" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context use" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context use" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" endpoint' -l 'endpoint' -d 'The Appwrite API endpoint, /v1 included.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" project' -l 'project' -d 'The project id.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" organization' -l 'organization' -d 'The organization id, for an organization key and `projects`.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" api-key-env' -l 'api-key-env' -d 'The environment variable holding the API key.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" api-key-file' -l 'api-key-file' -d 'A file holding the API key (its first line).' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" organization-key-env' -l 'organization-key-env' -d 'The environment variable holding an organization key.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" organization-key-file' -l 'organization-key-file' -d 'A file holding an organization key.' -rfka ''
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context remove" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow context remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_positional "keyflow help" -ge 1' -fka 'create ensure update grant revoke delete rotate rollback secret ephemeral show list print let param use assert for if scopes expire description name id grace as where parallel project builtins count len lines exists env selectors sinks expressions types keys projects scope-catalogue syntax modes parameters credentials exit-codes in'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow help" version' -l 'version' -d 'Show the version.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow help" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'keyflow' -n '__keyflow_should_offer_completions_for_flags_or_options "keyflow help" version' -l 'version' -d 'Show the version.'
