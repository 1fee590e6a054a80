// SPDX-License-Identifier: GPL-2.0
/*
 * Root-side attacks for the test machine: loaded with attack=NAME and
 * apic=ID, it sends that IPI from Linux's CPU straight through the local
 * APIC's ICR to a CPU a cell holds, or (attack=ioapic-pin pin=N) programs a
 * cell's IOAPIC pin behind Linux's back, and stays loaded until rmmod.  The
 * hypervisor's APIC and IOAPIC emulation must drop it
 * (Documentation/hostile-inmates.md).
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/msr.h>

#define ICR_BUSY_TRIES		100000
#define X2APIC_ICR_MSR		0x830

static char *attack = "ipi-fixed";
module_param(attack, charp, 0444);
MODULE_PARM_DESC(attack, "ipi-fixed, ipi-nmi, ipi-init-sipi or ioapic-pin");
static uint apic_id = 2;
module_param_named(apic, apic_id, uint, 0444);
MODULE_PARM_DESC(apic, "APIC ID of the target CPU");
static uint pin = 3;
module_param(pin, uint, 0444);
MODULE_PARM_DESC(pin, "ioapic-pin: the IOAPIC pin to program");

/* The IOAPIC's registers: index at +0, data at +0x10 (Documentation/design.md, "The IOAPIC"). */
#define IOAPIC_PHYS		0xfec00000
#define IOAPIC_DATA		0x10

/* Pin @pin unmasked, fixed vector 0x41 at @apic_id; then what it reads back. */
static int ioapic_pin_attack(void)
{
	void __iomem *ioapic = ioremap(IOAPIC_PHYS, PAGE_SIZE);
	u32 back;

	if (!ioapic)
		return -ENOMEM;
	writel(0x11 + 2 * pin, ioapic);
	writel(apic_id << 24, ioapic + IOAPIC_DATA);
	writel(0x10 + 2 * pin, ioapic);
	writel(0x41, ioapic + IOAPIC_DATA);
	back = readl(ioapic + IOAPIC_DATA);
	iounmap(ioapic);
	pr_info("bulkhead-attack: IOAPIC pin %u reads 0x%x after the write\n", pin, back);
	return 0;
}

/* One ICR write in the mode Linux runs its APIC in (SDM Vol. 3A, 10.6.1 and 10.12.9). */
static void icr_write(u32 low)
{
	unsigned long flags;
	unsigned int tries = 0;

	local_irq_save(flags);
	if (x2apic_enabled()) {
		wrmsrl(X2APIC_ICR_MSR, ((u64)apic_id << 32) | low);
	} else {
		while ((native_apic_mem_read(APIC_ICR) & APIC_ICR_BUSY) && tries++ < ICR_BUSY_TRIES)
			cpu_relax();
		native_apic_mem_write(APIC_ICR2, SET_XAPIC_DEST_FIELD(apic_id));
		native_apic_mem_write(APIC_ICR, low);
	}
	local_irq_restore(flags);
}

static int __init attack_init(void)
{
	if (!strcmp(attack, "ipi-fixed")) {
		icr_write(APIC_DM_FIXED | 0x41);
	} else if (!strcmp(attack, "ipi-nmi")) {
		icr_write(APIC_DM_NMI);
	} else if (!strcmp(attack, "ipi-init-sipi")) {
		icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT);
		udelay(200);
		icr_write(APIC_DM_STARTUP | 0x02);
		udelay(200);
		icr_write(APIC_DM_STARTUP | 0x02);
	} else if (!strcmp(attack, "ioapic-pin")) {
		return ioapic_pin_attack();
	} else {
		pr_err("bulkhead-attack: unknown attack '%s'; use ipi-fixed, ipi-nmi, ipi-init-sipi or ioapic-pin\n",
		       attack);
		return -EINVAL;
	}
	pr_info("bulkhead-attack: %s sent to APIC %u\n", attack, apic_id);
	return 0;
}

static void __exit attack_exit(void)
{
}

module_init(attack_init);
module_exit(attack_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bulkhead test: IPIs from the root cell to a cell's CPU");
