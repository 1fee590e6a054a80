// SPDX-License-Identifier: GPL-2.0
/* Names of VM exit reasons and VM-instruction errors, for logs and statistics. */
#include <asm/vmx-defs.h>

/* Basic exit reasons; SDM Vol. 3D, appendix C.  Names have no spaces (the statistics are columns). */
static const char *const exit_reason_names[EXIT_REASON_COUNT] = {
	[EXIT_EXCEPTION_NMI] = "exception-nmi",
	[EXIT_EXTERNAL_INTERRUPT] = "external-interrupt",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_INIT] = "init-signal",
	[EXIT_SIPI] = "startup-ipi",
	[EXIT_IO_SMI] = "io-smi",
	[EXIT_OTHER_SMI] = "other-smi",
	[EXIT_INTERRUPT_WINDOW] = "interrupt-window",
	[EXIT_NMI_WINDOW] = "nmi-window",
	[EXIT_TASK_SWITCH] = "task-switch",
	[EXIT_CPUID] = "cpuid",
	[EXIT_GETSEC] = "getsec",
	[EXIT_HLT] = "hlt",
	[EXIT_INVD] = "invd",
	[EXIT_INVLPG] = "invlpg",
	[EXIT_RDPMC] = "rdpmc",
	[EXIT_RDTSC] = "rdtsc",
	[EXIT_RSM] = "rsm",
	[EXIT_VMCALL] = "vmcall",
	[EXIT_VMCLEAR] = "vmclear",
	[EXIT_VMLAUNCH] = "vmlaunch",
	[EXIT_VMPTRLD] = "vmptrld",
	[EXIT_VMPTRST] = "vmptrst",
	[EXIT_VMREAD] = "vmread",
	[EXIT_VMRESUME] = "vmresume",
	[EXIT_VMWRITE] = "vmwrite",
	[EXIT_VMXOFF] = "vmxoff",
	[EXIT_VMXON] = "vmxon",
	[EXIT_CR_ACCESS] = "cr-access",
	[EXIT_MOV_DR] = "mov-dr",
	[EXIT_IO] = "io-instruction",
	[EXIT_RDMSR] = "rdmsr",
	[EXIT_WRMSR] = "wrmsr",
	[EXIT_INVALID_GUEST_STATE] = "entry-failed-guest-state",
	[EXIT_MSR_LOADING] = "entry-failed-msr-loading",
	[EXIT_MWAIT] = "mwait",
	[EXIT_MONITOR_TRAP_FLAG] = "monitor-trap-flag",
	[EXIT_MONITOR] = "monitor",
	[EXIT_PAUSE] = "pause",
	[EXIT_MACHINE_CHECK] = "entry-failed-machine-check",
	[EXIT_TPR_BELOW_THRESHOLD] = "tpr-below-threshold",
	[EXIT_APIC_ACCESS] = "apic-access",
	[EXIT_VIRTUALIZED_EOI] = "virtualized-eoi",
	[EXIT_GDTR_IDTR_ACCESS] = "gdtr-idtr-access",
	[EXIT_LDTR_TR_ACCESS] = "ldtr-tr-access",
	[EXIT_EPT_VIOLATION] = "ept-violation",
	[EXIT_EPT_MISCONFIG] = "ept-misconfig",
	[EXIT_INVEPT] = "invept",
	[EXIT_RDTSCP] = "rdtscp",
	[EXIT_PREEMPTION_TIMER] = "preemption-timer",
	[EXIT_INVVPID] = "invvpid",
	[EXIT_WBINVD] = "wbinvd",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_APIC_WRITE] = "apic-write",
	[EXIT_RDRAND] = "rdrand",
	[EXIT_INVPCID] = "invpcid",
	[EXIT_VMFUNC] = "vmfunc",
	[EXIT_ENCLS] = "encls",
	[EXIT_RDSEED] = "rdseed",
	[EXIT_PML_FULL] = "pml-full",
	[EXIT_XSAVES] = "xsaves",
	[EXIT_XRSTORS] = "xrstors",
	[EXIT_UMWAIT] = "umwait",
	[EXIT_TPAUSE] = "tpause",
};

/* VM-instruction error numbers; SDM Vol. 3C, 30.4. */
static const char *const instruction_error_names[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_exit_reason_name(unsigned int reason)
{
	if (reason < EXIT_REASON_COUNT && exit_reason_names[reason])
		return exit_reason_names[reason];
	return "unknown";
}

const char *vmx_instruction_error_name(unsigned int error)
{
	unsigned int count = sizeof(instruction_error_names) / sizeof(instruction_error_names[0]);

	if (error < count && instruction_error_names[error])
		return instruction_error_names[error];
	return "unknown VM-instruction error";
}
