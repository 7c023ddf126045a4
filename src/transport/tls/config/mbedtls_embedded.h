// SPDX-License-Identifier: MIT
/* sockkit's embedded profile of mbedTLS 2.28 (MBEDTLS_CONFIG_FILE), for a
 * device that keeps a few TLS 1.2 connections to its cloud: only what that
 * needs, and small record buffers.
 *
 *   - TLS 1.2, ECDHE with ECDSA or RSA certificates, AES-GCM and ChaCha20-Poly1305
 *     (the same suites the other profiles offer), P-256/P-384/X25519;
 *   - SNI, ALPN, session tickets and the session cache, extended master secret;
 *   - 4 KiB record buffers during the handshake (the server's certificate
 *     message must fit: a chain of two P-256 certificates does), shrunk to
 *     2 KiB once it is done: a client asks its server for 2 KiB records with
 *     the max_fragment_length extension (SOCKKIT_MBEDTLS_FRAGMENT; a server
 *     in this profile needs clients that ask too);
 *   - the peer certificate is not kept after the handshake (its subject is
 *     then not in TlsInfo), and random numbers come from sockkit's entropy seam;
 *   - no MBEDTLS_FS_IO: sockkit reads certificate and key files with C stdio,
 *     and a CA directory (TlsOptions::ca_directory) is not supported.
 *
 * Debian's source package is built with it by cmake/mbedtls.cmake
 * (SOCKKIT_MBEDTLS=embedded); docs/tls.md has the figures. */
#ifndef SOCKKIT_MBEDTLS_EMBEDDED_H
#define SOCKKIT_MBEDTLS_EMBEDDED_H

/* Platform */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__arm__)
#define MBEDTLS_HAVE_ASM
#endif
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE /* certificate validity: the device must know the date */
#define MBEDTLS_NO_PLATFORM_ENTROPY

/* Protocol */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
#define MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH /* buffers resized to the fragment length after the \
                                              handshake */
#define SOCKKIT_MBEDTLS_FRAGMENT 2048 /* what sockkit's clients ask for (max_fragment_length) */
#define MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES 8

/* Key exchange and certificates */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

/* Modules */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in flash, not 8 KiB of RAM */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_C
#define MBEDTLS_GCM_C
#define MBEDTLS_MD_C
#define MBEDTLS_OID_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_RSA_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C /* SHA-384 suites and certificates */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

#include "mbedtls/check_config.h"

#endif /* SOCKKIT_MBEDTLS_EMBEDDED_H */
