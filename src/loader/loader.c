/*
 * loader.c -- picking a loader for an image, and the pieces every direct-boot
 * loader shares: error messages, command line, initrd placement, tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/gmem.h"
#include "loader/loader.h"
#include "arch/arch.h"
#include "util.h"

static const struct loader *const auto_order[] = {
	&loader_bzimage, &loader_pvh, &loader_multiboot, &loader_elf64,
};

static const struct loader *const by_name[] = {
	&loader_bzimage, &loader_pvh, &loader_multiboot, &loader_elf64, &loader_raw,
};

const struct loader *loader_find(const char *format, const uint8_t *img, size_t size)
{
	if (!format || !strcmp(format, "auto")) {
		for (size_t i = 0; i < ARRAY_SIZE(auto_order); i++)
			if (auto_order[i]->probe(img, size))
				return auto_order[i];
		/* a damaged ELF64: let its loader say what is wrong with it */
		if (size >= 5 && !memcmp(img, "\177ELF\2", 5))
			return &loader_elf64;
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (!strcmp(format, by_name[i]->name))
			return by_name[i];
	return NULL;
}

int loader_error(struct loader_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!ctx)
		return err;
	if (ctx->kernel_path)
		n = snprintf(ctx->err, sizeof(ctx->err), "%s: ", ctx->kernel_path);
	if (n < 0 || (size_t)n >= sizeof(ctx->err))
		n = 0;	/* absurdly long path: keep the reason, drop the path */
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, sizeof(ctx->err) - n, fmt, ap);
	va_end(ap);
	return err;
}

void loader_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "GiB", "MiB", "KiB" };
	static const unsigned shift[] = { 30, 20, 10 };

	for (size_t i = 0; i < ARRAY_SIZE(unit); i++) {
		uint64_t one = 1ULL << shift[i];

		if (bytes >= one && bytes % one == 0) {
			snprintf(buf, len, "%" PRIu64 " %s", bytes >> shift[i], unit[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64 " bytes", bytes);
}

int loader_check_low_ram(struct loader_ctx *ctx, uint64_t need)
{
	char have[32], want[32];

	if (gmem_low_end(ctx->mem) >= need)
		return 0;
	loader_size_str(ctx->mem->size, have, sizeof(have));
	loader_size_str(need, want, sizeof(want));
	return loader_error(ctx, -ENOMEM, "needs at least %s of RAM, the guest has %s",
			    want, have);
}

int loader_put_cmdline(struct loader_ctx *ctx, uint64_t max_len)
{
	const char *cmd = ctx->cmdline ? ctx->cmdline : "";
	size_t len = strlen(cmd);
	uint64_t limit = LAYOUT_CMDLINE_MAX - 1;	/* room for the NUL */

	if (max_len && max_len < limit)
		limit = max_len;
	if (len > limit)
		return loader_error(ctx, -E2BIG,
				    "command line is %zu bytes, the limit is %" PRIu64,
				    len, limit);
	if (gmem_write(ctx->mem, LAYOUT_CMDLINE, cmd, len + 1))
		return loader_error(ctx, -ENOMEM, "no RAM for the command line at 0x%llx",
				    LAYOUT_CMDLINE);
	return 0;
}

int loader_put_initrd(struct loader_ctx *ctx, uint64_t kernel_end, uint64_t limit,
		      uint64_t *gpa)
{
	uint64_t top = gmem_low_end(ctx->mem), start;
	char sz[32];

	*gpa = 0;
	if (!ctx->initrd || !ctx->initrd_size)
		return 0;
	if (limit < top)
		top = limit;
	top = ALIGN_DOWN(top, 4096);
	loader_size_str(ctx->initrd_size, sz, sizeof(sz));
	if (ctx->initrd_size > top || ALIGN_DOWN(top - ctx->initrd_size, 4096) < kernel_end)
		return loader_error(ctx, -ENOMEM,
				    "initrd (%s) does not fit between the kernel's end 0x%" PRIx64
				    " and 0x%" PRIx64 " (give the guest more RAM)",
				    sz, kernel_end, top);
	start = ALIGN_DOWN(top - ctx->initrd_size, 4096);
	if (gmem_write(ctx->mem, start, ctx->initrd, ctx->initrd_size))
		return loader_error(ctx, -EFAULT, "initrd (%s) at 0x%" PRIx64 " is not in RAM",
				    sz, start);
	*gpa = start;
	return 0;
}

int loader_put_tables(struct loader_ctx *ctx, uint64_t *rsdp)
{
	int r = platform_tables_write(ctx->mem, ctx->ncpus, rsdp);

	if (r == -EINVAL)
		return loader_error(ctx, r, "cannot describe %d CPUs in the MP/ACPI tables",
				    ctx->ncpus);
	if (r)
		return loader_error(ctx, r, "cannot write the MP/ACPI tables (%s)",
				    strerror(-r));
	return 0;
}
