#ifndef SHOPTALK_CCRYPTO_SHIM_H
#define SHOPTALK_CCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/rand.h>

#endif
