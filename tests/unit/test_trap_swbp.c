/*
 * test_trap_swbp.c -- the software-breakpoint table by guest-physical
 * address, on a RAM buffer: the byte written and restored, reference counts,
 * reads shadowed, writes through, lift and re-arm, RAM edges.
 */
#include <stdlib.h>

#include <errno.h>

#include "test.h"
#include "arch/arch.h"
#include "core/gmem.h"
#include "core/trap_swbp.h"

#define RAM	(64 << 10)

static struct gmem mem;
static uint8_t *ram;
static struct trap_swbp t;

static void up(void)
{
	ram = calloc(1, RAM);
	for (int i = 0; i < RAM; i++)
		ram[i] = (uint8_t)(i * 7 + 1);	/* never the breakpoint byte by chance below */
	ram[0x300] = 0x90;
	gmem_init(&mem, ram, RAM);
	trap_swbp_init(&t, &mem);
}

static void down(void)
{
	trap_swbp_destroy(&t);
	free(ram);
}

TEST(insert_writes_and_remove_restores)
{
	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], ARCH_SWBP_BYTE);
	CHECK(trap_swbp_at(&t, 0x300));
	CHECK(!trap_swbp_at(&t, 0x301));
	CHECK_EQ(trap_swbp_remove(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], 0x90);
	CHECK(!trap_swbp_at(&t, 0x300));
	CHECK_EQ(trap_swbp_remove(&t, 0x300), -ENOENT);
	down();
}

TEST(refcounts_two_inserts)
{
	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x300), 0);
	CHECK_EQ(trap_swbp_insert(&t, 0x300), 0);	/* second user of the same byte */
	CHECK_EQ(trap_swbp_remove(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], ARCH_SWBP_BYTE);		/* still one user */
	CHECK_EQ(trap_swbp_remove(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], 0x90);
	down();
}

TEST(outside_ram_refused)
{
	up();
	CHECK_EQ(trap_swbp_insert(&t, RAM), -EFAULT);		/* one past the end */
	CHECK_EQ(trap_swbp_insert(&t, RAM - 1), 0);		/* the last byte */
	CHECK_EQ(trap_swbp_insert(&t, ~0ULL), -EFAULT);
	CHECK_EQ(trap_swbp_insert(&t, GMEM_HIGH_BASE), -EFAULT);	/* no high RAM */
	down();
}

TEST(shadow_hides_our_bytes_only)
{
	uint8_t buf[16];

	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x305), 0);
	memcpy(buf, ram + 0x300, 16);
	buf[2] = ARCH_SWBP_BYTE;	/* the guest's own breakpoint byte, not ours */
	trap_swbp_shadow(&t, 0x300, buf, 16);
	CHECK_EQ(buf[5], (uint8_t)(0x305 * 7 + 1));	/* ours: the original */
	CHECK_EQ(buf[2], ARCH_SWBP_BYTE);		/* the guest's: left alone */
	/* a buffer that ends just before, and one that starts just after */
	memcpy(buf, ram + 0x2f5, 16);
	trap_swbp_shadow(&t, 0x2f5, buf, 16);
	CHECK_EQ(buf[15], (uint8_t)(0x304 * 7 + 1));
	memcpy(buf, ram + 0x306, 16);
	trap_swbp_shadow(&t, 0x306, buf, 16);
	CHECK_EQ(buf[0], (uint8_t)(0x306 * 7 + 1));
	down();
}

TEST(write_through_updates_the_original)
{
	uint8_t w[4] = { 0x11, 0x22, 0x33, 0x44 };

	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x301), 0);
	memcpy(ram + 0x300, w, 4);		/* what the debugger's write did to RAM */
	trap_swbp_write_through(&t, 0x300, w, 4);
	CHECK_EQ(ram[0x301], ARCH_SWBP_BYTE);	/* ours is back */
	CHECK_EQ(trap_swbp_remove(&t, 0x301), 0);
	CHECK_EQ(ram[0x301], 0x22);		/* and the debugger's byte is what remains */
	down();
}

TEST(lift_and_rearm)
{
	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x300), 0);
	trap_swbp_lift(&t, 0x300);
	CHECK_EQ(ram[0x300], 0x90);
	CHECK(trap_swbp_at(&t, 0x300));		/* still ours while lifted */
	trap_swbp_rearm(&t);
	CHECK_EQ(ram[0x300], ARCH_SWBP_BYTE);
	/* RAM reloaded under it (a reset): the new byte becomes the original */
	ram[0x300] = 0xf4;
	trap_swbp_rearm(&t);
	CHECK_EQ(ram[0x300], ARCH_SWBP_BYTE);
	CHECK_EQ(trap_swbp_remove(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], 0xf4);
	down();
}

TEST(guest_overwrite_is_kept_on_remove)
{
	up();
	CHECK_EQ(trap_swbp_insert(&t, 0x300), 0);
	ram[0x300] = 0x55;			/* the guest wrote over our byte */
	CHECK_EQ(trap_swbp_remove(&t, 0x300), 0);
	CHECK_EQ(ram[0x300], 0x55);		/* not clobbered with the old original */
	down();
}

TEST(remove_all)
{
	up();
	for (int i = 0; i < 40; i++)		/* past the table's first growth */
		CHECK_EQ(trap_swbp_insert(&t, 0x1000 + (uint64_t)i * 3), 0);
	trap_swbp_remove_all(&t);
	for (int i = 0; i < 40; i++) {
		CHECK(!trap_swbp_at(&t, 0x1000 + (uint64_t)i * 3));
		CHECK_EQ(ram[0x1000 + i * 3], (uint8_t)((0x1000 + i * 3) * 7 + 1));
	}
	down();
}

TEST_MAIN()
