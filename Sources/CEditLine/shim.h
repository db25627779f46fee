#ifndef SHOPTALK_CEDITLINE_SHIM_H
#define SHOPTALK_CEDITLINE_SHIM_H

/*
 * Fixed-signature wrappers around the variadic libedit entry points (el_set, el_get, history),
 * because Swift cannot call C variadic functions.
 */

#include <histedit.h>
#include <stdio.h>
#include <wchar.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

/* glibc only declares wcwidth under _XOPEN_SOURCE, which Swift's Glibc module does not define. */
extern int wcwidth(wchar_t c);

/* Terminal columns taken by one character in the current locale; -1 for non-printable ones. */
static inline int shim_char_width(wchar_t c)
{
    return wcwidth(c);
}

/* Signature of a libedit editor function registered with EL_ADDFN; returns one of the CC_* codes. */
typedef unsigned char (*shim_el_command_t)(EditLine *, int);

/* Signature of the prompt callback installed with EL_PROMPT_ESC. */
typedef char *(*shim_el_prompt_t)(EditLine *);

/* el_init on the process's standard streams; Swift 6 rejects touching the mutable C globals stdin/stdout/stderr. */
static inline EditLine *shim_el_init(const char *program)
{
    return el_init(program, stdin, stdout, stderr);
}

static inline int shim_el_set_prompt(EditLine *el, shim_el_prompt_t prompt, char ignore)
{
    /* Characters between two `ignore` marks are printed but not counted, so colour codes keep column math right. */
    return el_set(el, EL_PROMPT_ESC, prompt, ignore);
}

static inline int shim_el_set_editor(EditLine *el, const char *mode)
{
    return el_set(el, EL_EDITOR, mode);
}

/* The terminal's modes before editing began, put back if a signal ends the process mid-line. */
static inline struct termios *shim_saved_modes(void)
{
    static struct termios modes;
    return &modes;
}
static volatile sig_atomic_t shim_modes_saved = 0;

static void shim_restore_modes_and_die(int signo)
{
    if (shim_modes_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, shim_saved_modes());
    }
    /* SA_RESETHAND made the default action current again, so this ends the process as the signal would have. */
    raise(signo);
}

/* Installs `handler` for `signo` with `flags`, unless the signal was ignored from the start (as under nohup). */
static inline void shim_handle_signal(int signo, void (*handler)(int), int flags)
{
    struct sigaction current;
    if (sigaction(signo, NULL, &current) != 0 || current.sa_handler == SIG_IGN) {
        return;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_flags = flags;
    action.sa_handler = handler;
    sigaction(signo, &action, NULL);
}

/* Set by SIGWINCH from any thread; the reading thread applies it with el_resize before the next key. */
static volatile sig_atomic_t shim_window_changed = 0;

static void shim_note_window_change(int signo)
{
    (void)signo;
    shim_window_changed = 1;
}

/*
 * libedit's read function (EL_GETCFN): one character from standard input, decoded as the locale's multibyte
 * text, with invalid bytes dropped. A resize noted since the last key is applied first, on this thread, so
 * the key is drawn at the window's new width. Returns 1 for a character, 0 at end of input, -1 on error.
 */
static int shim_read_char(EditLine *el, wchar_t *out)
{
    char bytes[MB_LEN_MAX];
    size_t count = 0;
    mbstate_t state;
    memset(&state, 0, sizeof state);
    for (;;) {
        ssize_t got = read(STDIN_FILENO, bytes + count, 1);
        if (got == 0) {
            return 0;
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        count++;
        wchar_t character = 0;
        size_t used = mbrtowc(&character, bytes + count - 1, 1, &state);
        if (used == (size_t)-2 && count < sizeof bytes) {
            continue;
        }
        if (used == (size_t)-1 || used == (size_t)-2) {
            memset(&state, 0, sizeof state);
            count = 0;
            continue;
        }
        if (shim_window_changed) {
            shim_window_changed = 0;
            el_resize(el);
        }
        *out = character;
        return 1;
    }
}

static inline int shim_el_read_with_resizes(EditLine *el)
{
    shim_handle_signal(SIGWINCH, shim_note_window_change, SA_RESTART);
    return el_set(el, EL_GETCFN, shim_read_char);
}

/*
 * Saves the terminal's modes and, for SIGINT, SIGTERM, SIGHUP and SIGQUIT (unless ignored), installs a handler
 * that restores them before the signal takes its default course, so the terminal is never left in raw mode.
 * This stands in for libedit's EL_SIGNAL: its handlers reach the editor through a global that el_gets clears
 * on return, and in a threaded process a signal handled on another thread at that moment dereferenced NULL.
 * A resize is noted by its own handler and applied by the reading thread (shim_el_read_with_resizes).
 */
static inline void shim_guard_terminal_modes(void)
{
    if (tcgetattr(STDIN_FILENO, shim_saved_modes()) == 0) {
        shim_modes_saved = 1;
    }
    const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        shim_handle_signal(signals[i], shim_restore_modes_and_die, SA_RESETHAND);
    }
}

/* Write end of the pipe that hears of SIGINT while a turn runs, or -1 when SIGINT ends the process. */
static inline volatile sig_atomic_t *shim_interrupt_descriptor(void)
{
    static volatile sig_atomic_t descriptor = -1;
    return &descriptor;
}

static void shim_forward_interrupt(int signo)
{
    (void)signo;
    int descriptor = *shim_interrupt_descriptor();
    if (descriptor >= 0) {
        const char byte = 1;
        (void)!write(descriptor, &byte, 1);
    }
}

/*
 * Given a descriptor, every SIGINT writes a byte to it instead of ending the process; given -1, SIGINT goes
 * back to restoring the terminal's modes and ending the process. A SIGINT ignored from the start (as under
 * nohup) stays ignored.
 */
static inline void shim_forward_interrupts(int descriptor)
{
    /* The descriptor is set before the handler that reads it, and cleared only after that handler is gone. */
    if (descriptor >= 0) {
        *shim_interrupt_descriptor() = descriptor;
        shim_handle_signal(SIGINT, shim_forward_interrupt, SA_RESTART);
    } else {
        shim_handle_signal(SIGINT, shim_restore_modes_and_die, SA_RESETHAND);
        *shim_interrupt_descriptor() = -1;
    }
}

static inline int shim_el_bind(EditLine *el, const char *key, const char *command)
{
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

/* Non-zero switches the terminal to libedit's raw mode now instead of at the first key read. */
static inline int shim_el_prepare_terminal(EditLine *el, int raw)
{
    return el_set(el, EL_PREP_TERM, raw);
}

static inline int shim_el_add_function(EditLine *el, const char *name, const char *help, shim_el_command_t fn)
{
    return el_set(el, EL_ADDFN, name, help, fn);
}

static inline int shim_el_set_history(EditLine *el, History *hist)
{
    return el_set(el, EL_HIST, history, hist);
}

static inline int shim_el_set_client_data(EditLine *el, void *data)
{
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *shim_el_client_data(EditLine *el)
{
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) {
        return NULL;
    }
    return data;
}

/* Output stream libedit draws on; listings must go through it so they interleave correctly with redraws. */
static inline FILE *shim_el_output(EditLine *el)
{
    FILE *fp = NULL;
    if (el_get(el, EL_GETFP, 1, &fp) != 0) {
        return NULL;
    }
    return fp;
}

/* Terminal width as libedit measured it when the line being edited began. */
static inline int shim_el_columns(EditLine *el)
{
    int columns = 0;
    if (el_get(el, EL_GETTC, "co", &columns, (void *)NULL) != 0 || columns <= 0) {
        return 80;
    }
    return columns;
}

static inline int shim_history_set_size(History *hist, int size)
{
    HistEvent event;
    return history(hist, &event, H_SETSIZE, size);
}

static inline int shim_history_set_unique(History *hist, int unique)
{
    HistEvent event;
    return history(hist, &event, H_SETUNIQUE, unique);
}

static inline int shim_history_enter(History *hist, const char *line)
{
    HistEvent event;
    return history(hist, &event, H_ENTER, line);
}

/* Most recent entry, or NULL when the history is empty; the pointer is owned by libedit. */
static inline const char *shim_history_newest(History *hist)
{
    HistEvent event;
    if (history(hist, &event, H_FIRST) != 0) {
        return NULL;
    }
    return event.str;
}

static inline int shim_history_load(History *hist, const char *path)
{
    HistEvent event;
    return history(hist, &event, H_LOAD, path);
}

static inline int shim_history_save(History *hist, const char *path)
{
    HistEvent event;
    return history(hist, &event, H_SAVE, path);
}

/* Ctrl-C while editing cancels the line instead of ending the shell: bound to this function, it empties
   the line, notes the cancellation and ends the read, so the caller can offer a fresh prompt. */
static volatile sig_atomic_t shim_interrupted = 0;

static unsigned char shim_cancel_line(EditLine *el, int ch)
{
    (void)ch;
    const LineInfo *line = el_line(el);
    el_cursor(el, (int)(line->lastchar - line->cursor));
    el_deletestr(el, (int)(line->lastchar - line->buffer));
    shim_interrupted = 1;
    return CC_NEWLINE;
}

static inline int shim_el_bind_cancel(EditLine *el)
{
    /* With the terminal's signal keys off while a line is edited, Ctrl-C reaches libedit as a key. */
    el_set(el, EL_SETTY, "-d", "-isig", NULL);
    el_set(el, EL_ADDFN, "shoptalk-cancel", "Cancel the line", shim_cancel_line);
    return el_set(el, EL_BIND, "^C", "shoptalk-cancel", NULL);
}

static inline int shim_take_interrupt(void)
{
    int was = shim_interrupted;
    shim_interrupted = 0;
    return was;
}

#endif
