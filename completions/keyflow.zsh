#compdef keyflow

__keyflow_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__keyflow_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __keyflow_complete "${completions[@]:0:-1}"
    fi
}

__keyflow_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_keyflow() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'check:Check scripts without touching the network: syntax, names, types, scopes.'
            'fmt:Format scripts in the canonical layout (comments kept, meaning unchanged).'
            'plan:Show the steps a script would take, without changing anything.'
            'run:Run a script: execute its steps against the Keys API.'
            'repl:Explore a project'\''s keys interactively: each statement runs as it is entered.'
            'lsp:Run the language server (LSP over standard input and output) for editors.'
            'serve:Run a local Appwrite-compatible Keys API server (the sandbox).'
            'login:Sign in to the Appwrite console and store the session for an endpoint.'
            'logout:End the stored console session for an endpoint and remove it.'
            'doctor:Check the endpoint, the project and the credentials in use.'
            'context:Manage named contexts: an endpoint, a project and where their credentials come from.'
            'help:Explain a statement, clause, builtin or topic of the language, or a command'\''s options.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        check|fmt|plan|run|repl|lsp|serve|login|logout|doctor|context|help|help)
            "_keyflow_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_keyflow_check() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'github')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        '*:files:'
        '--json[Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.]'
        '--format[text, json, or github\: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).]:format:{__keyflow_complete "${___format[@]}"}'
        '--color[Colour the output\: auto (on a terminal without NO_COLOR), always or never.]:color:{__keyflow_complete "${___color[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_fmt() {
    local -i ret=1
    local -ar arg_specs=(
        '*:files:'
        '--check[Only report files whose layout differs; exit 1 if any.]'
        '--diff[Print a unified diff to the canonical layout instead of rewriting; exit 1 if there is one.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_plan() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'github')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        ':file:'
        '*:parameters:'
        '--json[Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.]'
        '--format[text, json, or github\: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).]:format:{__keyflow_complete "${___format[@]}"}'
        '--color[Colour the output\: auto (on a terminal without NO_COLOR), always or never.]:color:{__keyflow_complete "${___color[@]}"}'
        '--parallel[At most this many requests in flight for a bulk statement.]:parallel:'
        '--sandbox[Use the embedded local sandbox even without a terminal (when no endpoint is set).]'
        '--strict[Treat warnings that would mislead a run as errors (a create of a name an active key has).]'
        '--allow-self[Let the run delete, retire at once, or cut the scopes or expiry of the API key it authenticates with.]'
        '--max-steps[At most this many steps (creates, updates, deletes, deliveries) in one plan or run.]:max-steps:'
        '--max-iterations[At most this many loop iterations, over every loop of the script.]:max-iterations:'
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--project[The project id (else APPWRITE_PROJECT_ID).]:project:'
        '--key-file[A file holding the API key (else APPWRITE_API_KEY).]:key-file:'
        '--organization-key-file[A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).]:organization-key-file:'
        '--organization[The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).]:organization:'
        '--insecure[Do not verify TLS certificates (a warning is printed on every run).]'
        '--context[A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).]:context:'
        '--detailed-exitcode[Exit 4 when the plan has changes to make (0\: none, 1\: error, 2\: invalid).]'
        '--markdown[Print the plan as Markdown on standard output (for a pull-request comment); diagnostics go to standard error.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_run() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'github')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        ':file:'
        '*:parameters:'
        '--json[Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.]'
        '--format[text, json, or github\: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).]:format:{__keyflow_complete "${___format[@]}"}'
        '--color[Colour the output\: auto (on a terminal without NO_COLOR), always or never.]:color:{__keyflow_complete "${___color[@]}"}'
        '--parallel[At most this many requests in flight for a bulk statement.]:parallel:'
        '--sandbox[Use the embedded local sandbox even without a terminal (when no endpoint is set).]'
        '--strict[Treat warnings that would mislead a run as errors (a create of a name an active key has).]'
        '--allow-self[Let the run delete, retire at once, or cut the scopes or expiry of the API key it authenticates with.]'
        '--max-steps[At most this many steps (creates, updates, deletes, deliveries) in one plan or run.]:max-steps:'
        '--max-iterations[At most this many loop iterations, over every loop of the script.]:max-iterations:'
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--project[The project id (else APPWRITE_PROJECT_ID).]:project:'
        '--key-file[A file holding the API key (else APPWRITE_API_KEY).]:key-file:'
        '--organization-key-file[A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).]:organization-key-file:'
        '--organization[The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).]:organization:'
        '--insecure[Do not verify TLS certificates (a warning is printed on every run).]'
        '--context[A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).]:context:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_repl() {
    local -i ret=1
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--project[The project id (else APPWRITE_PROJECT_ID).]:project:'
        '--key-file[A file holding the API key (else APPWRITE_API_KEY).]:key-file:'
        '--organization-key-file[A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).]:organization-key-file:'
        '--organization[The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).]:organization:'
        '--insecure[Do not verify TLS certificates (a warning is printed on every run).]'
        '--context[A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).]:context:'
        '--sandbox[Use the embedded local sandbox even without a terminal (when no endpoint is set).]'
        '--color[Colour the output\: auto (on a terminal without NO_COLOR), always or never.]:color:{__keyflow_complete "${___color[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_lsp() {
    local -i ret=1
    local -ar arg_specs=(
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--project[The project id (else APPWRITE_PROJECT_ID).]:project:'
        '--key-file[A file holding the API key (else APPWRITE_API_KEY).]:key-file:'
        '--organization-key-file[A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).]:organization-key-file:'
        '--organization[The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).]:organization:'
        '--insecure[Do not verify TLS certificates (a warning is printed on every run).]'
        '--context[A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).]:context:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_serve() {
    local -i ret=1
    local -ar arg_specs=(
        '*:options:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_login() {
    local -i ret=1
    local -ar arg_specs=(
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--email[The console account'\''s email (asked for when not given).]:email:'
        '--insecure[Do not verify TLS certificates (a warning is printed).]'
        '--context[Store the session for this context (else KEYFLOW_CONTEXT, else the current one); its endpoint is the default.]:context:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_logout() {
    local -i ret=1
    local -ar arg_specs=(
        '--endpoint[The endpoint to sign out of (else APPWRITE_ENDPOINT, else the only stored one).]:endpoint:'
        '--insecure[Do not verify TLS certificates (a warning is printed).]'
        '--context[Sign out of this context'\''s stored session (else KEYFLOW_CONTEXT, else the current one).]:context:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_doctor() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'github')
    local -ar arg_specs=(
        '--endpoint[The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).]:endpoint:'
        '--project[The project id (else APPWRITE_PROJECT_ID).]:project:'
        '--key-file[A file holding the API key (else APPWRITE_API_KEY).]:key-file:'
        '--organization-key-file[A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).]:organization-key-file:'
        '--organization[The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).]:organization:'
        '--insecure[Do not verify TLS certificates (a warning is printed on every run).]'
        '--context[A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).]:context:'
        '--json[Print one JSON object per event or diagnostic on standard output (docs/events.md); the same as --format json.]'
        '--format[text, json, or github\: diagnostics as GitHub Actions workflow annotations, and the plan as a job summary appended to $GITHUB_STEP_SUMMARY (the default when GITHUB_ACTIONS=true).]:format:{__keyflow_complete "${___format[@]}"}'
        '--strict[Exit 1 on warnings too, not only on failures.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_context() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'list:List the contexts; * marks the current one.'
            'show:Show a context (else the one in force: KEYFLOW_CONTEXT, else the current one), without secrets.'
            'use:Make a context the current one.'
            'add:Add a context.'
            'remove:Remove a context (and forget its stored session on this machine).'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        list|show|use|add|remove)
            "_keyflow_context_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_keyflow_context_list() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_context_show() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_context_use() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_context_add() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--endpoint[The Appwrite API endpoint, /v1 included.]:endpoint:'
        '--project[The project id.]:project:'
        '--organization[The organization id, for an organization key and `projects`.]:organization:'
        '--api-key-env[The environment variable holding the API key.]:api-key-env:'
        '--api-key-file[A file holding the API key (its first line).]:api-key-file:'
        '--organization-key-env[The environment variable holding an organization key.]:organization-key-env:'
        '--organization-key-file[A file holding an organization key.]:organization-key-file:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_context_remove() {
    local -i ret=1
    local -ar arg_specs=(
        ':name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_help() {
    local -i ret=1
    local -ar _topic=('create' 'ensure' 'update' 'grant' 'revoke' 'delete' 'rotate' 'rollback' 'secret' 'ephemeral' 'show' 'list' 'print' 'let' 'param' 'use' 'assert' 'for' 'if' 'scopes' 'expire' 'description' 'name' 'id' 'grace' 'as' 'where' 'parallel' 'project' 'builtins' 'count' 'len' 'lines' 'exists' 'env' 'selectors' 'sinks' 'expressions' 'types' 'keys' 'projects' 'scope-catalogue' 'syntax' 'modes' 'parameters' 'credentials' 'exit-codes' 'in')
    local -ar arg_specs=(
        '*:topic:{__keyflow_complete "${_topic[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_keyflow_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _keyflow ]]; then
    _keyflow "${@}"
else
    compdef _keyflow keyflow
fi
