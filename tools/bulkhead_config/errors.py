# SPDX-License-Identifier: GPL-2.0
"""The one error type of the config tool: where, what is wrong, how to fix it."""


class ConfigError(Exception):
    """A problem in a config, reported as one line: where: problem: fix."""

    def __init__(self, where, problem, fix, path=None):
        super().__init__(where, problem, fix)
        self.where = where
        self.problem = problem
        self.fix = fix
        self.path = path    # the file, when it is not the command's first input

    def __str__(self):
        parts = (self.where, self.problem, self.fix)
        return ': '.join(part for part in parts if part)
