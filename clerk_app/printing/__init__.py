"""The print engine (core, no Qt): reportlab with the bundled CJK TrueType font -> PDF bytes.

One layout engine for screen, file and paper: the window previews the very PDF these
functions return (QtPdf), then prints or saves it.

* :mod:`.fonts` — font registration, ``missing_glyphs`` / ``PrintWarning`` (check names first)
* :mod:`.layout` — CJK paragraph styles, paginating tables, page furniture, ``Imprint``
* :mod:`.cards` — ``card_pdf`` (ID-1 card), ``card_sheet_pdf`` (A4 sheets of ten)
* :mod:`.forms` — ``registration_form_pdf`` (入会申请书 + 工会会员登记表, filled or blank)
* :mod:`.roster` — ``member_roster_pdf`` (会员花名册, A4 landscape, masked, any length)

Every function returns a :class:`.result.PrintResult`. The window and the CLI do not call
these directly: ``services.documents`` makes each printout from the database and
``services.printouts`` saves, prints or reveals it behind its audit entry.
"""
