"""A contract import-linter lacks: every app's modules are private except its published ones.

`apps.<app>.api` and `apps.<app>.signals` are public; any other module of an app (models, services,
selectors, tasks, receivers, views, serializers, admin, providers, ... and any added later) may be
imported only by that app itself and by `config` (which wires urls and websockets together).
Unlike the built-in `protected` type it needs no list of modules that may not exist yet.
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class AppInternalsContract(Contract):
    type_name = "app_internals"

    container = fields.StringField()
    public = fields.ListField(subfield=fields.StringField())
    wiring = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        container = str(self.container)
        public = {str(name) for name in self.public}  # type: ignore[attr-defined]
        wiring = [str(name) for name in (self.wiring or [])]  # type: ignore[union-attr]
        depth = container.count(".") + 1
        violations = []
        for module in sorted(graph.modules):
            parts = module.split(".")
            if not module.startswith(container + ".") or len(parts) <= depth + 1:
                continue
            if parts[depth + 1] in public:
                continue
            owner = ".".join(parts[: depth + 1])
            for importer in sorted(graph.find_modules_that_directly_import(module)):
                if importer == owner or importer.startswith(owner + "."):
                    continue
                if any(importer == w or importer.startswith(w + ".") for w in wiring):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=module):
                    violations.append((importer, module, detail["line_number"]))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, line in check.metadata["violations"]:
            output.print_error(f"{importer} -> {imported} (l.{line}) is not allowed: "
                               f"only the owning app imports its internals; use its api.py or signals.py.")
            output.new_line()
