#ifndef KEYFLOW_CEDITLINE_SHIM_H
#define KEYFLOW_CEDITLINE_SHIM_H
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <editline/readline.h>
#include <histedit.h>

// Swift 6 rejects libedit's mutable C globals (`rl_*`) as not concurrency-safe: these
// setters and getters are the only places that touch them. Each is called from the one
// thread that runs the line editor.

/// Configures the readline-compatible layer before its first use: prompts and editing on
/// `stderr` (so stdout may be piped), our own completion and character reader, libedit's
/// signal handlers stay off (its SIGINT handler re-raises to the whole process group).
static inline void keyflow_rl_configure(rl_completion_func_t *complete, int (*getc_fn)(FILE *)) {
    setlocale(LC_CTYPE, "C.UTF-8");
    rl_outstream = stderr;
    rl_instream = stdin;
    rl_catch_signals = 0;
    rl_getc_function = getc_fn;
    rl_attempted_completion_function = complete;
    rl_completion_append_character = ' ';
    static char breaks[] = " \t\n\"'([{,;=<>!~+";
    rl_completer_word_break_characters = breaks;
    rl_initialize();
}

/// The line being edited (valid inside the completion callback).
static inline const char *keyflow_rl_line_buffer(void) { return rl_line_buffer; }
static inline int keyflow_rl_point(void) { return rl_point; }
/// Tells libedit not to fall back to file-name completion.
static inline void keyflow_rl_completion_over(void) { rl_attempted_completion_over = 1; }
static inline void keyflow_rl_set_append_character(int c) { rl_completion_append_character = c; }

/// Installs `handler` for SIGINT without SA_RESTART, so a blocked read returns EINTR.
static inline int keyflow_install_sigint(void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(SIGINT, &sa, NULL);
}

/// `stdout`/`stderr` are C globals too.
static inline void keyflow_flush_stdout(void) { fflush(stdout); }
static inline FILE *keyflow_stderr(void) { return stderr; }

#endif
