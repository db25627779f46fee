#ifndef SHOPTALK_CCURL_SHIM_H
#define SHOPTALK_CCURL_SHIM_H

/*
 * Fixed-signature wrappers around libcurl's variadic curl_easy_setopt and curl_easy_getinfo, because Swift
 * cannot call C variadic functions.
 */

#include <curl/curl.h>

/* Signature of CURLOPT_WRITEFUNCTION: bytes received, returning how many were taken. */
typedef size_t (*shim_curl_write_t)(char *data, size_t size, size_t count, void *context);

static inline CURLcode shim_curl_set_long(CURL *handle, CURLoption option, long value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode shim_curl_set_size(CURL *handle, CURLoption option, curl_off_t value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode shim_curl_set_text(CURL *handle, CURLoption option, const char *value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode shim_curl_set_pointer(CURL *handle, CURLoption option, void *value)
{
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode shim_curl_set_headers(CURL *handle, struct curl_slist *headers)
{
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}

static inline CURLcode shim_curl_set_writer(CURL *handle, shim_curl_write_t writer, void *context)
{
    CURLcode code = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, writer);
    return code != CURLE_OK ? code : curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

/* The HTTP status of the last response received, 0 before any. */
static inline long shim_curl_status(CURL *handle)
{
    long status = 0;
    if (curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
        return 0;
    }
    return status;
}

/* The result of the transfer that finished on `multi`, or -1 while none has. */
static inline int shim_curl_finished(CURLM *multi)
{
    int left = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &left)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            return (int)message->data.result;
        }
    }
    return -1;
}

#endif
