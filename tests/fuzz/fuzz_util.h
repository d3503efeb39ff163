/*
 * fuzz_util.h -- what the fuzz targets share: a checksum repair pass.
 *
 * A mutated packet almost never keeps a valid checksum, and a packet with a
 * bad one is only NAKed: the fuzzer would spend its time on the NAK path.
 * So most runs first rewrite the two characters after each packet's '#'
 * with the right checksum of the bytes since its '$' (the input is copied:
 * libFuzzer's is read-only); the other runs take the bytes as they are.
 */
#ifndef HYVE_FUZZ_UTIL_H
#define HYVE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A copy of data[0..n) with every "$...#xx" checksum made right (malloc'd). */
static inline uint8_t *fuzz_fix_checksums(const uint8_t *data, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	uint8_t *p = malloc(n ? n : 1);
	uint8_t sum = 0;
	int in_pkt = 0;

	if (!p)
		abort();
	memcpy(p, data, n);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '$') {
			in_pkt = 1;
			sum = 0;
		} else if (in_pkt && p[i] == '#') {
			in_pkt = 0;
			if (i + 2 < n) {
				p[i + 1] = (uint8_t)hx[sum >> 4];
				p[i + 2] = (uint8_t)hx[sum & 15];
				i += 2;
			}
		} else if (in_pkt) {
			sum = (uint8_t)(sum + p[i]);
		}
	}
	return p;
}

#endif
