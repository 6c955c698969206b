#ifndef KEYFLOW_CCURL_SHIM_H
#define KEYFLOW_CCURL_SHIM_H
#define CURL_STRICTER
#include <curl/curl.h>

// libcurl's types and constants come from <curl/curl.h>; its functions are called through
// these `kf_` wrappers, which CurlLoader defines. libcurl is not linked: CurlLoader loads
// libcurl.so.4 at run time, on a thread of its own, so that the 40 shared libraries it
// pulls in (OpenSSL, GnuTLS, Kerberos, LDAP, ...: 11-12 ms here) load while the process
// parses its arguments and its script instead of before `main`.

/// Starts loading libcurl (and `curl_global_init`) on a thread of its own, once. Exiting
/// the process waits for that thread: exiting half-way through OpenSSL's set-up crashes.
void kf_curl_preload(void);
/// Loads libcurl if that has not been done, waiting for `kf_curl_preload`'s thread if it is
/// under way. NULL once libcurl is ready; otherwise why it could not be loaded.
const char *kf_curl_ready(void);

CURLM *kf_multi_init(void);
CURLMcode kf_multi_add_handle(CURLM *m, CURL *h);
CURLMcode kf_multi_remove_handle(CURLM *m, CURL *h);
CURLMcode kf_multi_perform(CURLM *m, int *running);
CURLMcode kf_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *ret);
CURLMcode kf_multi_wakeup(CURLM *m);
CURLMsg *kf_multi_info_read(CURLM *m, int *remaining);
CURL *kf_easy_init(void);
void kf_easy_reset(CURL *h);
void kf_easy_cleanup(CURL *h);
const char *kf_easy_strerror(CURLcode code);
struct curl_slist *kf_slist_append(struct curl_slist *list, const char *line);
void kf_slist_free_all(struct curl_slist *list);

// curl_easy_setopt and friends are variadic: Swift cannot call them. Typed wrappers.
CURLcode kf_easy_setopt_long(CURL *h, CURLoption o, long v);
CURLcode kf_easy_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode kf_easy_setopt_pointer(CURL *h, CURLoption o, void *v);
CURLcode kf_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode kf_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v);
typedef size_t (*kf_data_callback)(char *, size_t, size_t, void *);
CURLcode kf_easy_setopt_callback(CURL *h, CURLoption o, kf_data_callback v);
typedef int (*kf_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
CURLcode kf_easy_setopt_xferinfo(CURL *h, kf_xferinfo_callback v);
CURLcode kf_easy_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode kf_easy_getinfo_double(CURL *h, CURLINFO i, double *v);
CURLcode kf_easy_getinfo_string(CURL *h, CURLINFO i, char **v);
CURLcode kf_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v);
CURLMcode kf_multi_setopt_long(CURLM *m, CURLMoption o, long v);

// CURLMsg carries its result in an anonymous union; read it in C.
static inline CURLcode kf_msg_result(const CURLMsg *m) { return m->data.result; }
static inline int kf_msg_is_done(const CURLMsg *m) { return m->msg == CURLMSG_DONE; }
#endif
