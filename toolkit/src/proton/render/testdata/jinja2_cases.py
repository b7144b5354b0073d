#!/usr/bin/env python3
"""Regenerates jinja2_cases.json: each case's expected output produced by the pinned Jinja2
(the oracle venv: /root/.cache/cloudwright-oracles/venv/bin/python jinja2_cases.py), rendered
as AWS Proton rendered templates (StrictUndefined, no autoescape). The Rust test
`proton::render::jinja2::tests::jinja2_built_ins_match_jinja2` compares minijinja against it.
"""
import json
import os

import jinja2

CTX = {
    "s": "Hello World, this is a long sentence for wrapping",
    "name": "my-service_01",
    "n": 1234567,
    "f": 3.14159,
    "neg": -7,
    "t": True,
    "no": False,
    "nothing": None,
    "empty": "",
    "items": [3, 1, 2, 3],
    "words": ["b", "a", "c", "a"],
    "users": [
        {"name": "ann", "age": 31, "active": True, "team": "x"},
        {"name": "bob", "age": 25, "active": False, "team": "y"},
        {"name": "cy", "age": 40, "active": True, "team": "x"},
    ],
    "d": {"b": 2, "a": 1, "C": 3},
    "html": "<p>Hi &amp; <b>bye</b></p>",
    "outputs": {"Output1": "hello", "PolicyArn": "arn:aws:iam::123456789012:policy/p"},
}

CASES = [
    # strings
    "{{ s | truncate(20) }}", "{{ s | truncate(20, True) }}", "{{ s | truncate(20, False, '..') }}",
    "{{ s | truncate(255) }}", "{{ s | truncate(20, killwords=True, end='') }}", "{{ 'abcdefghij' | truncate(9, leeway=0) }}",
    "{{ s | wordwrap(15) }}", "{{ s | wordwrap(10, break_long_words=False) }}", "{{ s | wordwrap(15, wrapstring='|') }}",
    "{{ 'a well-known self-evident truth' | wordwrap(8) }}", "{{ 'abcdefghijklmnop qr  st' | wordwrap(5) }}",
    "{{ 'one\ntwo three four' | wordwrap(9, break_on_hyphens=False) }}",
    "{{ name | center(21) }}|", "{{ name | center(5) }}|",
    "{{ s | replace('o', '0') }}", "{{ s | replace('o', '0', 2) }}",
    "{{ name | upper }} {{ name | lower }} {{ s | title }} {{ 'hELLO wORLD' | capitalize }}",
    "{{ '  x  ' | trim }}|{{ 'xxaxx' | trim('x') }}",
    "{{ html | striptags }}", "{{ html | forceescape }}", "{{ html | escape }}",
    "{{ s | wordcount }}", "{{ 'a b&c' | urlencode }}", "{{ d | urlencode }}",
    "{{ '%s-%s' | format('a', 1) }}", "{{ '%05.1f|%d|%x' | format(f, n, 255) }}", "{{ '%(a)s' | format(a=1) }}",
    "{{ 'a\nb\n\nc' | indent }}", "{{ 'a\nb\n\nc' | indent(2, true) }}", "{{ 'a\nb\n\nc' | indent(2, blank=true) }}",
    "{{ 'a\nb' | indent(width='> ') }}",
    "{{ n | filesizeformat }} {{ 1000 | filesizeformat }} {{ 1024 | filesizeformat(true) }} {{ 1 | filesizeformat }} {{ 123456789012 | filesizeformat }}",
    "{{ {'class': 'a', 'id': 'x y', 'skip': none} | xmlattr }}", "{{ {'a': 1} | xmlattr(false) }}",
    "{{ name | string }}{{ n | string }}", "{{ 'abc' | list }}", "{{ 'abc' | reverse }}",
    "{{ 'ab' ~ 3 }}", "{{ name | length }} {{ items | count }}",
    # numbers
    "{{ f | round }} {{ f | round(2) }} {{ f | round(1, 'floor') }} {{ 2.5 | round }} {{ 2.5 | round(0, 'ceil') }}",
    "{{ '42' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(0, 16) }} {{ '3.9' | int }} {{ f | int }}",
    "{{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }}", "{{ neg | abs }}",
    "{{ 7 / 2 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 1 + 1.5 }}",
    # values as Python prints them
    "{{ t }} {{ no }} {{ nothing }} {{ items }} {{ words }} {{ d }} {{ f }} {{ 1.0 }} {{ (1, 'a') }}",
    "{{ users[0] }}", "{{ [t, nothing, 1.5, 'x'] }}",
    # default
    "{{ missing | default('dflt') }}", "{{ empty | default('dflt') }}", "{{ empty | default('dflt', true) }}",
    "{{ nothing | d('x') }}", "{{ no | default('x', boolean=true) }}", "{{ outputs.missing | default('opt') }}",
    # sequences
    "{{ items | sort }} {{ items | sort(reverse=true) }} {{ words | sort | join(',') }}",
    "{{ ['B', 'a', 'C'] | sort }} {{ ['B', 'a', 'C'] | sort(case_sensitive=true) }}",
    "{{ users | sort(attribute='age') | map(attribute='name') | join(',') }}",
    "{{ users | sort(attribute='team,age') | map(attribute='name') | list }}",
    "{{ items | unique | list }} {{ ['A', 'a', 'b'] | unique | list }} {{ users | unique(attribute='team') | map(attribute='name') | list }}",
    "{{ items | first }} {{ items | last }} {{ items | min }} {{ items | max }} {{ items | sum }} {{ items | sum(start=10) }}",
    "{{ users | sum(attribute='age') }} {{ users | min(attribute='age') }} {{ users | max(attribute='age') }}",
    "{{ ['B', 'a'] | min }} {{ ['B', 'a'] | max(case_sensitive=true) }}",
    "{{ items | join }} {{ items | join('-') }} {{ users | join(', ', attribute='name') }}",
    "{{ users | selectattr('active') | map(attribute='name') | list }}",
    "{{ users | rejectattr('active') | map(attribute='name') | list }}",
    "{{ users | selectattr('age', 'gt', 30) | map(attribute='name') | join(',') }}",
    "{{ users | selectattr('team', 'equalto', 'x') | map(attribute='name') | join(',') }}",
    "{{ users | rejectattr('name', 'in', ['ann', 'cy']) | map(attribute='name') | join(',') }}",
    "{{ items | select('odd') | list }} {{ items | reject('odd') | list }} {{ items | select | list }} {{ items | select('>', 1) | list }}",
    "{{ [0, 1, '', 'a', none] | select | list }}",
    "{{ words | map('upper') | list }} {{ users | map(attribute='missing', default='-') | list }}",
    "{{ items | map('string') | join('+') }}",
    "{% for g in users | groupby('team') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join(',') }};{% endfor %}",
    "{% for team, members in users | groupby('team') %}{{ team }}={{ members | length }};{% endfor %}",
    "{{ items | batch(3) | list }} {{ items | batch(3, 0) | list }} {{ items | slice(3) | list }}",
    "{{ d | dictsort }} {{ d | dictsort(true) }} {{ d | dictsort(false, 'value') }} {{ d | dictsort(reverse=true) }}",
    "{{ d | items | list }} {{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('z', 0) }}",
    "{{ d | length }} {{ d | list }} {{ d | first }}",
    "{{ users[0] | attr('name') }}",
    "{{ items | tojson }} {{ d | tojson }} {{ 'a<b' | tojson }} {{ d | tojson(2) }}",
    "{{ range(3) | list }} {{ range(1, 7, 2) | list }}",
    # Python methods (pycompat)
    "{{ s.upper() }} {{ s.lower() }} {{ name.split('-') }} {{ 'a,b'.split(',') | join(' ') }} {{ ' x '.strip() }}",
    "{{ name.startswith('my') }} {{ name.endswith('x') }} {{ name.replace('-', '_') }} {{ 'ab'.title() }} {{ 'a b'.capitalize() }}",
    "{{ '{}-{}'.format('a', 2) }} {{ name.find('s') }} {{ name.count('e') }} {{ 'a1'.isalnum() }} {{ '12'.isdigit() }}",
    "{{ 'x' in name }} {{ 'my' in name }} {{ 'a' in d }} {{ 3 in items }}",
    "{{ name[0] }} {{ name[-2:] }} {{ name[:2] }} {{ items[1:3] }}",
    # tests
    "{{ 4 is divisibleby 2 }} {{ 3 is odd }} {{ 3 is even }} {{ n is number }} {{ f is float }} {{ n is integer }} {{ t is boolean }}",
    "{{ missing is defined }} {{ missing is undefined }} {{ nothing is none }} {{ name is string }} {{ items is sequence }} {{ d is mapping }} {{ d is iterable }}",
    "{{ 'ab' is lower }} {{ 'AB' is upper }} {{ t is true }} {{ no is false }} {{ 1 is sameas 1 }} {{ 2 is gt 1 }} {{ 2 is le 1 }} {{ 2 is ne 1 }} {{ 2 is eq 2 }}",
    "{{ 'a' is in 'abc' }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }} {{ range is callable }} {{ name is callable }} {{ html is escaped }}",
    # statements a template may use
    "{% set x = 'a' %}{% if x == 'a' %}yes{% else %}no{% endif %}",
    "{% for k, v in d | dictsort %}{{ loop.index }}{{ k }}{{ v }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{% for i in [] %}x{% else %}empty{% endfor %}",
    "{% macro m(a, b='z') %}{{ a }}{{ b }}{% endmacro %}{{ m('y') }}",
    "{{ 'yes' if t else 'no' }} {{ t and no }} {{ t or no }} {{ not t }}",
    "{%- for i in items -%}\n  {{ i }}\n{%- endfor %}",
    "a\n{% if t %}\n  b\n{% endif %}\nc\n",
    # more printing and operators templates use
    "{{ 'abc' | center(8) }}|{{ 'ab' | center(9) }}|", "{{ [\"It's\", 'a\"b', 'x\\y'] }}",
    "{{ 1e20 }} {{ 1.5e16 }} {{ 1e-05 }} {{ 0.0001 }} {{ -2.5e-7 }} {{ 123456789.125 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }} {{ 10 / 5 }} {{ -7 // 2 }} {{ -7 % 3 }}", "{{ 2 ** -1 }}",
    "{{ 'ab' * 3 }} {{ [1, 2] + [3] }} {{ 'a' + 'b' }} {{ name ~ '-' ~ n }}",
    "{{ '%s' % name }} {{ '%s-%s' % (name, n) }} {{ '%05d' % n }}",
    "{{ '%-5s|' | format('a') }} {{ '%.2f' | format(2.675) }} {{ '%5d' | format(42) }} {{ '%s' | format(t) }} {{ '%r' | format('a') }} {{ '%s' | format(items) }}",
    "{{ name | lower | replace('_', '-') | truncate(5, true, '') }}",
    "{% if missing is defined and missing %}a{% else %}b{% endif %}",
    "{% for i in items %}{{ loop.cycle('odd', 'even') }}{{ loop.revindex }}{% if loop.first %}F{% endif %}{% endfor %}",
    "{{ range(3) | join(',') }} {{ 'x' | tojson }} {{ none | tojson }} {{ t | tojson }}",
    "{{ none | default('x', true) }} {{ 0 | default('x', true) }} {{ [] | default('x', true) }}",
    "{{ items | length > 3 }} {{ name | length is divisibleby 13 }} {{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }}",
    "{{ d['a'] }} {{ d.a }} {{ users[1].name }} {{ users | map(attribute='age') | sum }}",
    "{{ users | selectattr('name', 'equalto', 'bob') | first }}",
    "{{ users | map(attribute='name') | map('upper') | join(' ') }} {{ users | selectattr('active') | list | length }}",
    "{{ '{:>6}|{:<4}|{:^5}'.format('r', 'l', 'c') }}",
    "{{ 'a-b-c'.split('-', 1) }} {{ 'a b  c'.split() }} {{ '-'.join(['x', 'y']) }} {{ 'abc'.rstrip('c') }}",
    "{{ 'Ab'.swapcase() }} {{ 'x'.zfill(3) }}",
    "{{ d.items() | list | length }}",
    "{{ 'a,b' | split(',') | list }}",
    # strict undefined errors
    "{{ missing }}", "{{ missing.attr }}", "{{ outputs.missing }}", "{{ missing | upper }}",
]


def main():
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    cases = []
    for template in CASES:
        try:
            expected = {"out": env.from_string(template).render(CTX)}
        except Exception as e:  # the Rust side only checks that rendering fails
            expected = {"error": type(e).__name__}
        cases.append({"template": template, **expected})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "jinja2_cases.json"), "w") as f:
        json.dump({"jinja2": jinja2.__version__, "context": CTX, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
