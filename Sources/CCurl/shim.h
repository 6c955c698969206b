#ifndef KEYFLOW_CCURL_SHIM_H
#define KEYFLOW_CCURL_SHIM_H
#define CURL_STRICTER
#include <curl/curl.h>

// curl_easy_setopt and friends are variadic: Swift cannot call them. These typed
// wrappers are the whole shim.
static inline CURLcode kf_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kf_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kf_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kf_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kf_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*kf_data_callback)(char *, size_t, size_t, void *);
static inline CURLcode kf_easy_setopt_callback(CURL *h, CURLoption o, kf_data_callback v) { return curl_easy_setopt(h, o, v); }
typedef int (*kf_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode kf_easy_setopt_xferinfo(CURL *h, kf_xferinfo_callback v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
static inline CURLcode kf_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode kf_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode kf_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode kf_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode kf_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
// CURLMsg carries its result in an anonymous union; read it in C.
static inline CURLcode kf_msg_result(const CURLMsg *m) { return m->data.result; }
static inline int kf_msg_is_done(const CURLMsg *m) { return m->msg == CURLMSG_DONE; }
#endif
