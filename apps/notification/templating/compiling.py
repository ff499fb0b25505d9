"""Templates of messages compiled with Django's template language, cut down to what a message needs.

Company staff write overrides in the admin, so the engine knows only a few tags and filters: nothing that reads
files ({% include %}, {% extends %}, {% load %} of other libraries), nothing that turns escaping off ({% autoescape
%}, |safe), nothing that shows the context ({% debug %}) or reads the server's clock ({% now %}: times are worded
by the caller in the passenger's timezone and language). An unknown tag or filter is a syntax error of the parse
itself. A template may name only its kind's variables (and the loop variables it makes); a misspelt name would
otherwise render as nothing and the passenger would get a blank where their seat should be."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from django.template import Context, Engine, Library, Template, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import FilterExpression, Lexer, Node, TextNode, TokenType, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, ForNode, IfNode, WithNode

from apps.notification.templating.kinds import KINDS, MessageKind, item_fields

ALLOWED_TAGS = ("if", "for", "with", "firstof", "comment")
# the closing and inner tags of the allowed ones, which the parse reads as theirs
INNER_TAGS = frozenset({"elif", "else", "endif", "empty", "endfor", "endwith", "endcomment"})
ALLOWED_FILTERS = ("capfirst", "center", "default", "first", "join", "last", "length", "linebreaks",
                   "linebreaksbr", "ljust", "lower", "pluralize", "rjust", "title", "truncatechars", "truncatewords",
                   "upper", "urlize", "wordwrap", "yesno")
FORLOOP_FIELDS = frozenset({"counter", "counter0", "revcounter", "revcounter0", "first", "last"})
CONSTANTS = frozenset({"True", "False", "None"})  # names every Django context defines

MESSAGE_LIBRARY = Library()
MESSAGE_LIBRARY.tags.update({name: defaulttags.register.tags[name] for name in ALLOWED_TAGS})
MESSAGE_LIBRARY.filters.update({name: defaultfilters.register.filters[name] for name in ALLOWED_FILTERS})


class TemplateBroken(Exception):
    """A template that cannot be used: it does not parse, names what it may not, or fails to render."""


class MessageEngine(Engine):
    """Django's engine with the message library as its only builtins: no loaders, no other libraries."""

    default_builtins: ClassVar[list[str]] = []

    def get_template_builtins(self, builtins: list[Any]) -> list[Library]:
        return [MESSAGE_LIBRARY]


ENGINE = MessageEngine(loaders=[], libraries={}, debug=True)


def _allowed_list() -> str:
    return ", ".join(f"{{% {name} %}}" for name in ALLOWED_TAGS)


def _tags_checked(source: str) -> None:
    """Refuse a tag outside the allowed ones with a message naming it (the parse would say "did you forget to
    load it", which is not the advice to give). Tags inside {% comment %} are left alone, as the parse does."""
    in_comment = False
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        name = token.contents.split()[0] if token.contents.split() else ""
        if in_comment:
            in_comment = name != "endcomment"
            continue
        if name == "comment":
            in_comment = True
        elif name not in ALLOWED_TAGS and name not in INNER_TAGS:
            raise TemplateBroken(f"Line {token.lineno}: the tag {{% {name} %}} is not allowed in a message; "
                                 f"use only {_allowed_list()}.")


def _parsed(source: str) -> Template:
    _tags_checked(source)
    try:
        return Template(source, engine=ENGINE)
    except TemplateSyntaxError as exc:
        line = getattr(exc, "template_debug", {}).get("line")
        where = f"Line {line}: " if line and " line " not in str(exc) else ""
        advice = f". Filters allowed: {', '.join(ALLOWED_FILTERS)}." if str(exc).startswith("Invalid filter") else ""
        raise TemplateBroken(f"{where}{exc}{advice}") from None


# --- the names a template uses ----------------------------------------------------------------------------------

Scope = Mapping[str, frozenset[str]]  # a name the template may use -> the fields it may read of it


def _line(node: Node) -> int:
    token = getattr(node, "token", None)
    return int(getattr(token, "lineno", 0) or 0)


def _variable_checked(variable: Variable, scope: Scope, line: int) -> None:
    if variable.lookups is None:  # a literal: "text", 3
        return
    root, *fields = variable.lookups
    if root in CONSTANTS and not fields:
        return
    if root not in scope:
        raise TemplateBroken(f'Line {line}: unknown variable "{root}". This message may use: '
                             f"{', '.join(name for name in scope if not name.endswith('[]'))}.")
    if fields and (len(fields) > 1 or fields[0] not in scope[root]):
        readable = ", ".join(sorted(scope[root]))
        hint = f"it has {readable}" if readable else "it is text: use a filter such as |upper instead"
        raise TemplateBroken(f'Line {line}: "{variable.var}" cannot be read ({hint}).')


def _expression_checked(expression: FilterExpression, scope: Scope, line: int) -> None:
    if isinstance(expression.var, Variable):
        _variable_checked(expression.var, scope, line)
    for _filter, arguments in expression.filters:
        for is_lookup, argument in arguments:
            if is_lookup:
                _variable_checked(argument, scope, line)


def _condition_expressions(condition: Any) -> Iterator[FilterExpression]:
    """The operands of an {% if %} condition (a tree of operators over literals)."""
    if condition is None:
        return
    if isinstance(getattr(condition, "value", None), FilterExpression):
        yield condition.value
    for operand in (getattr(condition, "first", None), getattr(condition, "second", None)):
        yield from _condition_expressions(operand)


def _loop_scope(node: ForNode, scope: Scope) -> dict[str, frozenset[str]]:
    sequence = getattr(node.sequence, "var", None)
    fields: frozenset[str] = frozenset()
    if isinstance(sequence, Variable) and sequence.lookups and len(sequence.lookups) == 1 and len(node.loopvars) == 1:
        fields = scope.get(f"{sequence.lookups[0]}[]", frozenset())
    return {**scope, **dict.fromkeys(node.loopvars, fields), "forloop": FORLOOP_FIELDS}


def _children(nodes: Any) -> list[Node]:
    """A node list of a tag (typed loosely by the stubs)."""
    return [node for node in nodes if isinstance(node, Node)]


def _nodes_checked(nodes: list[Node], scope: Scope) -> None:
    for node in nodes:
        line = _line(node)
        if isinstance(node, TextNode | CommentNode):
            continue
        if isinstance(node, VariableNode):
            _expression_checked(node.filter_expression, scope, line)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                for expression in _condition_expressions(condition):
                    _expression_checked(expression, scope, line)
                _nodes_checked(_children(branch), scope)
        elif isinstance(node, ForNode):
            if isinstance(node.sequence, FilterExpression):
                _expression_checked(node.sequence, scope, line)
            _nodes_checked(_children(node.nodelist_loop), _loop_scope(node, scope))
            _nodes_checked(_children(node.nodelist_empty), scope)
        elif isinstance(node, WithNode):
            for expression in node.extra_context.values():
                _expression_checked(expression, scope, line)
            _nodes_checked(_children(node.nodelist), {**scope, **dict.fromkeys(node.extra_context, frozenset())})
        elif isinstance(node, FirstOfNode):
            if node.asvar:
                raise TemplateBroken(f"Line {line}: {{% firstof ... as name %}} is not allowed; use {{% with %}}.")
            for expression in node.vars:
                _expression_checked(expression, scope, line)
        else:
            raise TemplateBroken(f"Line {line}: {type(node).__name__} is not allowed in a message.")


def _kind_scope(kind: MessageKind) -> dict[str, frozenset[str]]:
    """The kind's variables (text: no fields), and for a list of dicts the fields of its items, under
    "<name>[]", which a loop over it hands to its loop variable."""
    scope = dict.fromkeys(kind.variables, frozenset[str]())
    scope.update({f"{name}[]": item_fields(kind, name) for name in kind.variables if item_fields(kind, name)})
    return scope


@lru_cache(maxsize=16)
def parsed(source: str) -> Template:
    """A template that names no kind's variables (the email layout), parsed once."""
    return _parsed(source)


@lru_cache(maxsize=1024)
def compiled(source: str, kind: str) -> Template:
    """The template, parsed and checked against the kind's variables (cached: the same text compiles the same)."""
    template = _parsed(source)
    _nodes_checked(_children(template.nodelist), _kind_scope(KINDS[kind]))
    return template


def rendered(template: Template, context: Mapping[str, object], *, autoescape: bool) -> str:
    try:
        return template.render(Context(dict(context), autoescape=autoescape))
    except Exception as exc:  # whatever a filter raises on a value: the message cannot be made
        raise TemplateBroken(f"The template failed to render: {exc}") from exc
