// SPDX-License-Identifier: GPL-2.0
/* The image header the driver reads first; sizes come from the linker script. */
#include <bulkhead-hv/image.h>
#include <bulkhead-hv/percpu.h>

/* Symbols whose values (not addresses) the linker script sets. */
extern const char __text_size[], __image_size[], __core_size[];

int arch_entry(unsigned int cpu_id, uint64_t linux_cr3);

struct bulkhead_image_header image_header __attribute__((section(".header"), used)) = {
	.magic = BULKHEAD_IMAGE_MAGIC,
	.abi_revision = BULKHEAD_ABI_REVISION,
	.header_size = sizeof(struct bulkhead_image_header),
	.text_size = (uint64_t)__text_size,
	.image_size = (uint64_t)__image_size,
	.core_size = (uint64_t)__core_size,
	.percpu_size = PERCPU_SIZE,
	.entry_offset = (uint64_t)arch_entry - BULKHEAD_BASE,
};
