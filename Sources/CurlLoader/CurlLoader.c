// Loads libcurl.so.4 at run time and forwards the `kf_` wrappers of CCurl's shim.h to it.
#include "../CCurl/shim.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static struct {
    CURLcode (*global_init)(long);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} api;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static const char *failure;      // set by load() when libcurl cannot be used
static char failureText[512];
static atomic_bool preloading;

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(failureText, sizeof failureText, "libcurl could not be loaded (%s); install it with scripts/bootstrap or apt-get install libcurl4", dlerror());
        failure = failureText;
        return;
    }
#define RESOLVE(field, symbol)                                                                   \
    if (!(*(void **)&api.field = dlsym(lib, symbol))) {                                          \
        snprintf(failureText, sizeof failureText, "libcurl.so.4 has no %s: it is older than 7.84", symbol); \
        failure = failureText;                                                                   \
        return;                                                                                  \
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(multi_init, "curl_multi_init")
    RESOLVE(multi_add_handle, "curl_multi_add_handle")
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
    RESOLVE(multi_perform, "curl_multi_perform")
    RESOLVE(multi_poll, "curl_multi_poll")
    RESOLVE(multi_wakeup, "curl_multi_wakeup")
    RESOLVE(multi_info_read, "curl_multi_info_read")
    RESOLVE(multi_setopt, "curl_multi_setopt")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_reset, "curl_easy_reset")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
#undef RESOLVE
    CURLcode code = api.global_init(CURL_GLOBAL_ALL);
    if (code != CURLE_OK) {
        snprintf(failureText, sizeof failureText, "libcurl could not be initialised (curl_global_init: error %d)", (int)code);
        failure = failureText;
    }
}

const char *kf_curl_ready(void) {
    pthread_once(&loaded, load);
    return failure;
}

static void *preloadThread(void *unused) {
    (void)unused;
    pthread_once(&loaded, load);
    return NULL;
}

static void waitForPreload(void) { pthread_once(&loaded, load); }

void kf_curl_preload(void) {
    if (atomic_exchange(&preloading, true)) return;
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attributes, preloadThread, NULL) == 0) atexit(waitForPreload);
    pthread_attr_destroy(&attributes);
}

CURLM *kf_multi_init(void) { return api.multi_init(); }
CURLMcode kf_multi_add_handle(CURLM *m, CURL *h) { return api.multi_add_handle(m, h); }
CURLMcode kf_multi_remove_handle(CURLM *m, CURL *h) { return api.multi_remove_handle(m, h); }
CURLMcode kf_multi_perform(CURLM *m, int *running) { return api.multi_perform(m, running); }
CURLMcode kf_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *ret) { return api.multi_poll(m, fds, count, timeout_ms, ret); }
CURLMcode kf_multi_wakeup(CURLM *m) { return api.multi_wakeup(m); }
CURLMsg *kf_multi_info_read(CURLM *m, int *remaining) { return api.multi_info_read(m, remaining); }
CURLMcode kf_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return api.multi_setopt(m, o, v); }
CURL *kf_easy_init(void) { return api.easy_init(); }
void kf_easy_reset(CURL *h) { api.easy_reset(h); }
void kf_easy_cleanup(CURL *h) { api.easy_cleanup(h); }
const char *kf_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
struct curl_slist *kf_slist_append(struct curl_slist *list, const char *line) { return api.slist_append(list, line); }
void kf_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }

CURLcode kf_easy_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_callback(CURL *h, CURLoption o, kf_data_callback v) { return api.easy_setopt(h, o, v); }
CURLcode kf_easy_setopt_xferinfo(CURL *h, kf_xferinfo_callback v) { return api.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
CURLcode kf_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }
CURLcode kf_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return api.easy_getinfo(h, i, v); }
CURLcode kf_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return api.easy_getinfo(h, i, v); }
CURLcode kf_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return api.easy_getinfo(h, i, v); }
