# SPDX-License-Identifier: GPL-2.0
"""Findings: what the rules report, one per problem, as text or JSON.

A strict report (build) raises the first error as a ConfigError; a collecting
report (check) keeps every finding.
"""

from dataclasses import dataclass, field

from .errors import ConfigError

ERROR = 'error'
WARNING = 'warning'


@dataclass
class Address:
    """A range in one address space: physical, guest, port, cpu or pin."""
    space: str
    start: int
    size: int = 1
    ioapic: int = None   # the IOAPIC of a pin range

    def __str__(self):
        if self.space in ('cpu', 'pin'):
            last = self.start + self.size - 1
            return f'{self.start}' if self.size == 1 else f'{self.start}-{last}'
        return f'{self.start:#x}-{self.start + self.size - 1:#x}'

    def to_json(self):
        result = {'space': self.space, 'start': self.start, 'size': self.size}
        if self.ioapic is not None:
            result['ioapic'] = self.ioapic
        return result


@dataclass
class Finding:
    kind: str
    severity: str
    where: str
    problem: str
    fix: str
    objects: list = field(default_factory=list)
    addresses: list = field(default_factory=list)

    @property
    def message(self):
        return f'{self.where}: {self.problem}'

    def line(self):
        """One line of text: SEVERITY[KIND]: WHERE: PROBLEM: FIX."""
        return f'{self.severity}[{self.kind}]: {self.message}: {self.fix}'

    def to_json(self):
        return {
            'kind': self.kind,
            'severity': self.severity,
            'objects': self.objects,
            'addresses': [address.to_json() for address in self.addresses],
            'message': self.message,
            'fix': self.fix,
        }


class Report:
    """Collects findings; with strict=True the first error raises ConfigError."""

    def __init__(self, strict=False):
        self.strict = strict
        self.findings = []

    def error(self, kind, where, problem, fix, others=(), addresses=()):
        self._add(Finding(kind, ERROR, where, problem, fix, [where, *others],
                          list(addresses)))

    def warning(self, kind, where, problem, fix, others=(), addresses=()):
        self._add(Finding(kind, WARNING, where, problem, fix, [where, *others],
                          list(addresses)))

    def _add(self, finding):
        if self.strict and finding.severity == ERROR:
            raise ConfigError(finding.where, finding.problem, finding.fix)
        self.findings.append(finding)

    def count(self, severity):
        return sum(finding.severity == severity for finding in self.findings)

    def to_json(self):
        return {
            'findings': [finding.to_json() for finding in self.findings],
            'errors': self.count(ERROR),
            'warnings': self.count(WARNING),
        }
