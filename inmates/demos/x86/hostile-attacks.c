// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The hostile inmate's attacks on memory, ports, MSRs and control registers, and the table of all attacks. */
#include "hostile.h"

#define CR0_PG			(1ULL << 31)
#define CR0_NW			(1ULL << 29)
#define CR0_CD			(1ULL << 30)
#define CR4_LA57		(1ULL << 12)
#define CR4_VMXE		(1ULL << 13)
#define CR4_OSXSAVE		(1ULL << 18)
#define CR4_RESERVED_31		(1ULL << 31)
#define CPUID_1_ECX_XSAVE	(1U << 26)
#define EFER_RESERVED_1		(1ULL << 1)
#define EFER_LME		(1ULL << 8)

/* ---- memory the cell was not given: guest physical addresses its EPT does not map ---- */

static void attack_root_ram_read(void)
{
	touch_read(0x08000000);		/* Linux's RAM on the test machine */
}

static void attack_root_ram_write(void)
{
	touch_write(0x01000000);
}

static void attack_hypervisor_memory(void)
{
	touch_write(0x1c000000);	/* where the hypervisor lives on the host */
}

static void attack_other_cell(void)
{
	touch_read(0x1ca00000);		/* the isolation cell's RAM on the host */
}

static void attack_xapic_page(void)
{
	touch_read(0xfee00030);		/* the xAPIC version register */
}

/* The cell owns pin 5 (configs/x86/hostile.dts), but the IOAPIC's registers take 32-bit MOVs only. */
static void attack_ioapic(void)
{
	__asm__ __volatile__("movq %0, (%1)" : : "r"(0xdeadbeefdeadbeefULL), "r"(0xfec00000ULL)
			     : "memory");
	say("wrote 64 bits at 0xfec00000");
}

/* ---- the IOAPIC, as the cell may program it: its own pin 5, nothing else ---- */

#define IOAPIC_OWN_PIN		5
#define IOAPIC_LINUX_PIN	4	/* Linux's console UART, COM1 */
#define IOAPIC_VECTOR		0x40U

/* Programs pin @pin and says whether it reads back masked. */
static void ioapic_program(const char *what, unsigned int pin, uint32_t destination, uint32_t low)
{
	ioapic_pin_set(pin, destination, low);
	say("%s: %s", what, ioapic_pin_low(pin) & IOAPIC_MASKED ? "left masked" : "accepted");
	ioapic_write(0x10 + 2 * pin, IOAPIC_MASKED);	/* the low half only: masked first */
}

/* Linux's pin and the IOAPIC's ID: writes dropped, the pin reads masked and empty. */
static void attack_ioapic_foreign_pin(void)
{
	uint32_t id = ioapic_read(0);

	ioapic_pin_set(IOAPIC_LINUX_PIN, cpu_id(), IOAPIC_VECTOR);
	say("pin %u: %s", IOAPIC_LINUX_PIN,
	    ioapic_pin_low(IOAPIC_LINUX_PIN) == IOAPIC_MASKED &&
	    ioapic_read(0x11 + 2 * IOAPIC_LINUX_PIN) == 0 ? "reads masked" : "reads an entry");
	ioapic_write(0, id ^ 0x0f000000U);
	say("ID register: %s", ioapic_read(0) == id ? "unchanged" : "changed");
}

/* Its own pin at its own CPU works; at CPU 0, a logical destination or the broadcast ID it stays masked. */
static void attack_ioapic_destination(void)
{
	ioapic_program("own CPU", IOAPIC_OWN_PIN, cpu_id(), IOAPIC_VECTOR);
	ioapic_program("CPU 0", IOAPIC_OWN_PIN, 0, IOAPIC_VECTOR);
	ioapic_program("logical", IOAPIC_OWN_PIN, 0x02, IOAPIC_LOGICAL | IOAPIC_VECTOR);
	ioapic_program("broadcast", IOAPIC_OWN_PIN, 0xff, IOAPIC_VECTOR);
}

/* Delivery modes that reach past the inmate's IDT (Documentation/design.md, "The IOAPIC"): each stays masked. */
static void attack_ioapic_delivery(void)
{
	ioapic_program("NMI", IOAPIC_OWN_PIN, cpu_id(), IOAPIC_DELIVERY(4) | 2);
	ioapic_program("SMI", IOAPIC_OWN_PIN, cpu_id(), IOAPIC_DELIVERY(2));
	ioapic_program("INIT", IOAPIC_OWN_PIN, cpu_id(), IOAPIC_DELIVERY(5));
	ioapic_program("ExtINT", IOAPIC_OWN_PIN, cpu_id(), IOAPIC_DELIVERY(7));
}

static void attack_hpet(void)
{
	touch_read(0xfed00000);
}

static void attack_mmconfig(void)
{
	touch_read(0xe0000000);		/* the usual PCI MMCONFIG window */
}

static void attack_bios_rom(void)
{
	touch_write(0xfffffff0);
}

/* ---- ports the cell was not given ---- */

static void attack_pci_config(void)
{
	port_probe32(0xcf8, 0x80000000);	/* bus 0, device 0, register 0 */
	port_probe32(0xcfc, 0);
}

static void attack_reset_control(void)
{
	port_probe(0xcf9, 0x06);	/* hard reset, if it got through */
	port_probe(0x92, 0x01);		/* fast reset through port 0x92 */
}

static void attack_keyboard_controller(void)
{
	port_probe(0x64, 0xfe);		/* pulse the reset line */
	port_probe(0x60, 0x00);
}

static void attack_pic(void)
{
	port_probe(0x21, 0xfb);		/* mask every PIC interrupt but the cascade */
	port_probe(0xa1, 0xfe);
}

static void attack_pit(void)
{
	port_probe(0x43, 0x30);
	port_probe(0x40, 0x00);
}

static void attack_rtc_cmos(void)
{
	port_probe(0x70, 0x8f);		/* NMIs off, index of the shutdown status */
	port_probe(0x71, 0x00);
}

static void attack_acpi_pm(void)
{
	port_probe(0xb005, 0x20);	/* PM1a control: SLP_EN */
	port_probe(0xb000, 0xfe);	/* PM1a status: clear what it can */
}

static void attack_smi_command(void)
{
	port_probe(0xb2, 0xf0);
}

static void attack_com1_linux(void)
{
	port_probe(0x3ff, 0x5a);	/* scratch register of Linux's console */
	port_probe(0x3f8, 'X');
}

static void attack_com2_other_cell(void)
{
	port_probe(0x2ff, 0x5a);	/* the isolation cell's UART */
	port_probe(0x2fb, 0x80);	/* its line control: divisor latch */
}

static void attack_com3_hypervisor(void)
{
	port_probe(0x3ef, 0x5a);	/* the hypervisor's log UART */
	port_probe(0x3eb, 0x80);
}

static void attack_port_string(void)
{
	uint8_t buffer[16];
	unsigned long count = sizeof(buffer);
	void *to = buffer;
	unsigned int i, changed = 0;

	memset(buffer, 0x11, sizeof(buffer));
	__asm__ __volatile__("rep insb" : "+D"(to), "+c"(count) : "d"(0x3fd) : "memory");
	for (i = 0; i < sizeof(buffer); i++)
		changed += buffer[i] != 0x11;
	if (!changed)
		say("rep insb: no data moved");
	else
		say("rep insb: %u bytes moved", changed);
	count = sizeof(buffer);
	__asm__ __volatile__("rep outsb" : "+S"(to), "+c"(count) : "d"(0x3f8) : "memory");
	say("rep outsb: done");
}

static void attack_other_ports(void)
{
	port_probe(0x00, 0x5a);		/* DMA controller */
	port_probe(0x80, 0x5a);		/* POST code */
	port_probe(0xffff, 0x5a);	/* the last port */
}

/* ---- MSRs ---- */

static void attack_feature_control(void)
{
	msr_read(0x3a);
	msr_write(0x3a, 0x5);		/* locked, VMX outside SMX */
}

static void attack_apic_base(void)
{
	uint64_t base = 0;

	rdmsr_safe(MSR_APIC_BASE, &base);
	msr_write(MSR_APIC_BASE, (base & 0xfff) | 0xfed00000ULL);	/* over the HPET */
	msr_write(MSR_APIC_BASE, base & ~(1ULL << 10));		/* back to xAPIC mode */
}

/*
 * A cell's MTRRcap and MTRR_DEF_TYPE are its own, emulated per CPU and never
 * written to the hardware (hypervisor/arch/x86/cache-type.c): turning its
 * MTRRs off is accepted and reads back, changes nothing outside the cell,
 * and is undone here.
 */
static void mtrr_off_contained(void)
{
	uint64_t saved, value = ~0ULL;

	if (!rdmsr_safe(0x2ff, &saved)) {
		say("rdmsr 0x2ff: #GP");
		return;
	}
	if (!wrmsr_safe(0x2ff, 0)) {
		say("MTRRs off: #GP");
		return;
	}
	rdmsr_safe(0x2ff, &value);
	wrmsr_safe(0x2ff, saved);
	say("MTRRs off: accepted, reads back %lu", value);
}

static void attack_mtrr(void)
{
	uint64_t cap = ~0ULL;

	if (rdmsr_safe(0xfe, &cap))
		say("MTRRcap reads %lu", cap);	/* no ranges, no write combining */
	else
		say("rdmsr 0xfe: #GP");
	mtrr_off_contained();
	if (!wrmsr_safe(0x2ff, (1ULL << 11) | 7))	/* memory type 7 is reserved */
		say("MTRR_DEF_TYPE type 7: #GP");
	if (!wrmsr_safe(0x2ff, (1ULL << 11) | (1ULL << 10) | 6))	/* no fixed ranges */
		say("MTRR_DEF_TYPE fixed-range enable: #GP");
	msr_write(0x200, 0x6);		/* variable range 0 base, write-back */
	msr_write(0x250, 0x0606060606060606ULL);	/* fixed range 0-64 KiB */
}

static void attack_pat(void)
{
	msr_write(0x277, 0x0202020202020202ULL);	/* memory type 2 is reserved */
}

static void attack_efer(void)
{
	msr_write_bits(MSR_EFER, EFER_RESERVED_1);
	msr_write(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_LME);	/* LME off while paging */
}

static void attack_debugctl(void)
{
	msr_write(0x1d9, 1ULL << 63);
}

static void attack_speculation(void)
{
	msr_write(0x48, 1);		/* IA32_SPEC_CTRL: IBRS */
	msr_write(0x49, 1);		/* IA32_PRED_CMD: IBPB */
	msr_write(0x10b, 1);		/* IA32_FLUSH_CMD: L1D flush */
}

static void attack_misc_enable(void)
{
	msr_read(0x1a0);
	msr_write(0x1a0, 0);
}

static void attack_unknown_msrs(void)
{
	msr_read(0x12345678);
	msr_write(0xc0010000, 0);	/* an AMD performance control */
	msr_read(0x480);		/* IA32_VMX_BASIC */
}

static void attack_tsc_write(void)
{
	msr_write(0x10, 0);
}

/* ---- control registers ---- */

static bool xsetbv_safe(uint32_t index, uint64_t value)
{
	bool ok = false;

	__asm__ __volatile__("1: xsetbv\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : "c"(index), "a"((uint32_t)value),
			       "d"((uint32_t)(value >> 32)) : "memory");
	return ok;
}

static void cr_result(const char *what, bool ok)
{
	if (ok)
		say("%s: accepted", what);
	else
		say("%s: %s", what, fault_name());
}

static void attack_cr0(void)
{
	uint64_t cr0 = read_cr0();

	cr_result("CR0 bit 32", write_cr0_safe(cr0 | (1ULL << 32)));
	cr_result("CR0.NW without CD", write_cr0_safe((cr0 & ~CR0_CD) | CR0_NW));
	cr_result("CR0 without PG", write_cr0_safe(cr0 & ~CR0_PG));
}

static void attack_cr4(void)
{
	uint64_t cr4 = read_cr4();

	cr_result("CR4.VMXE", write_cr4_safe(cr4 | CR4_VMXE));
	cr_result("CR4 bit 31", write_cr4_safe(cr4 | CR4_RESERVED_31));
	cr_result("CR4.LA57", write_cr4_safe(cr4 | CR4_LA57));
}

static void attack_xcr0(void)
{
	uint64_t cr4 = read_cr4();

	cr_result("XSETBV without CR4.OSXSAVE", xsetbv_safe(0, 1));
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		say("no XSAVE");
		return;
	}
	write_cr4_safe(cr4 | CR4_OSXSAVE);
	cr_result("XCR0 0", xsetbv_safe(0, 0));
	cr_result("XCR0 bit 63", xsetbv_safe(0, 1 | (1ULL << 63)));
	cr_result("XCR0 AVX without SSE", xsetbv_safe(0, 0x5));
	cr_result("XCR1", xsetbv_safe(1, 1));
	write_cr4_safe(cr4);
}

/* In the order of the table in Documentation/hostile-inmates.md: attack N is entry N - 1. */
static const struct attack attacks[] = {
	{ "mem-root-ram-read", attack_root_ram_read },
	{ "mem-root-ram-write", attack_root_ram_write },
	{ "mem-hypervisor", attack_hypervisor_memory },
	{ "mem-other-cell", attack_other_cell },
	{ "mem-xapic", attack_xapic_page },
	{ "mem-ioapic", attack_ioapic },
	{ "mem-hpet", attack_hpet },
	{ "mem-mmconfig", attack_mmconfig },
	{ "mem-bios-rom", attack_bios_rom },
	{ "port-pci-config", attack_pci_config },
	{ "port-reset", attack_reset_control },
	{ "port-keyboard", attack_keyboard_controller },
	{ "port-pic", attack_pic },
	{ "port-pit", attack_pit },
	{ "port-rtc-cmos", attack_rtc_cmos },
	{ "port-acpi-pm", attack_acpi_pm },
	{ "port-smi-command", attack_smi_command },
	{ "port-com1-linux", attack_com1_linux },
	{ "port-com2-other-cell", attack_com2_other_cell },
	{ "port-com3-hypervisor", attack_com3_hypervisor },
	{ "port-string", attack_port_string },
	{ "port-other", attack_other_ports },
	{ "msr-feature-control", attack_feature_control },
	{ "msr-apic-base", attack_apic_base },
	{ "msr-mtrr", attack_mtrr },
	{ "msr-pat", attack_pat },
	{ "msr-efer", attack_efer },
	{ "msr-debugctl", attack_debugctl },
	{ "msr-speculation", attack_speculation },
	{ "msr-misc-enable", attack_misc_enable },
	{ "msr-unknown", attack_unknown_msrs },
	{ "msr-tsc-write", attack_tsc_write },
	{ "cr0-reserved", attack_cr0 },
	{ "cr4-reserved", attack_cr4 },
	{ "xcr0-reserved", attack_xcr0 },
	{ "icr-fixed", attack_icr_fixed },
	{ "icr-nmi", attack_icr_nmi },
	{ "icr-init", attack_icr_init },
	{ "icr-sipi", attack_icr_sipi },
	{ "icr-smi", attack_icr_smi },
	{ "icr-lowest-priority", attack_icr_lowest },
	{ "icr-reserved-modes", attack_icr_reserved },
	{ "vmx-vmxon", attack_vmxon },
	{ "vmx-instructions", attack_vmx_instructions },
	{ "hypercall-management", attack_hypercall_management },
	{ "hypercall-info", attack_hypercall_info },
	{ "hypercall-unknown", attack_hypercall_unknown },
	{ "triple-fault", attack_triple_fault },
	{ "cli-hlt", attack_cli_hlt },
	{ "spin-irqs-off", attack_spin_irqs_off },
	{ "vmcall-flood", attack_vmcall_flood },
	{ "ioapic-foreign-pin", attack_ioapic_foreign_pin },
	{ "ioapic-destination", attack_ioapic_destination },
	{ "ioapic-delivery", attack_ioapic_delivery },
};

unsigned int attack_count(void)
{
	return sizeof(attacks) / sizeof(attacks[0]);
}

const struct attack *attack_find(unsigned int number)
{
	return number >= 1 && number <= attack_count() ? &attacks[number - 1] : NULL;
}
