{#- A README (untrusted markdown, HTML or reStructuredText) reduced to its words for modelling.
    In order: cut to `max_chars` characters (bounds the work on a huge file); drop HTML comments,
    fenced code blocks and reStructuredText directives; reduce boilerplate sections
    (installation, setup, requirements, license, contributing, citation, acknowledgements, code of
    conduct, star history) to their heading's words; drop images and badges (their alt text is
    noise such as "build passing"); keep a link's text but not its URL; drop HTML tags (their text
    stays), a tag or link target the cut left unclosed at the end, link definitions, bare URLs,
    HTML entities and table or heading rules (`---`, `===`); collapse whitespace. The patterns
    are written once, here; each engine's body (macros/portable.sql) applies them with its own
    regexp_replace. -#}
{#- The (pattern, replacement) pairs are applied in order; a replacement names a group as \\1. -#}
{% macro clean_readme_text(column, max_chars) -%}
    {%- set steps = [
        ('(?s)<!--.*?-->', ' '),
        ('(?s)```.*?(```|$)', ' '),
        ('(?s)~~~.*?(~~~|$)', ' '),
        ('(?m)^\\.\\. [a-z-]+::[^\\n]*(\\n[ \\t]+[^\\n]*)*', ' '),
        ('(?im)^#{1,6}[ \\t]*([^\\n]*?\\b(install|installation|installing|setup|set up|requirements|prerequisites|license|licence|licensing|contributing|contribute|contributors|citation|citing|cite|acknowledgements|acknowledgments|acknowledgement|code of conduct|star history)\\b[^\\n]*)\\n([ \\t]*\\n|[^#\\n][^\\n]*\\n)*', ' \\1 \n'),
        ('!\\[[^\\]]*\\]\\([^)]*\\)', ' '),
        ('!\\[[^\\]]*\\]\\[[^\\]]*\\]', ' '),
        ('\\[([^\\]]*)\\]\\([^)]*\\)', ' \\1 '),
        ('\\[([^\\]]*)\\]\\[[^\\]]*\\]', ' \\1 '),
        ('(?m)^[ \\t]*\\[[^\\]]+\\]:[^\\n]*', ' '),
        ('<[^>]*>', ' '),
        ('<[^>]*$', ' '),
        ('\\]\\([^)]*$', ' '),
        ('(https?|ftp)://[^\\s)\\]>"]+', ' '),
        ('www\\.[^\\s)\\]>"]+', ' '),
        ('&(#[0-9]+|[a-z]+);', ' '),
        ('[-=+_|:~*#`]{3,}', ' '),
        ('\\s+', ' '),
    ] -%}
    {{ adapter.dispatch('clean_readme_text', 'mlops_atlas')(column, max_chars, steps) }}
{%- endmacro %}
