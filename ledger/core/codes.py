"""The catalogue of diagnostic codes: every code any command can report.

Codes are stable kebab-case names (they appear in CI logs, JSON and scripts);
the description is the Chinese line docs/errors.md shows. Tests fail
when a code is used in the source but missing here, when a code here has no
broken-ledger example under tests/, or when docs/errors.md does not list it
(regenerate it with `python -m tests.gen_errors`).
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # reading the file
    "encoding": "文件不是 UTF-8 文本(UTF-16、GBK、含空字节的二进制文件)",
    "file-too-large": "文件超过 8 MiB,不像台账文件",
    "merge-conflict": "文件中留有未解决的合并冲突标记 <<<<<<< ======= >>>>>>>",
    "tab-indent": "缩进中用了制表符(Tab);YAML 只能用空格缩进",
    "yaml-syntax": "YAML 语法错误(缩进、冒号、引号不配对、多个文档等)",
    "yaml-alias": "使用了 YAML 锚点/别名(& 和 *);台账文件不允许,以防展开炸弹",
    "yaml-tag": "使用了 !! 标签(例如 !!python/object);台账文件不允许,绝不构造对象",
    "duplicate-key": "同一个映射中键重复出现(常见于合并分支之后)",
    "empty-file": "文件是空的",
    "not-a-file": "应当是文件的地方是一个目录",
    "unreadable": "文件无法读取(权限或系统错误)",
    "outside-root": "文件是指向台账目录之外的链接",
    "no-issues-dir": "缺少问题目录 data/issues",
    # the schema
    "unknown-key": "未知的键(附带\"您是不是想写\"建议)",
    "missing-field": "缺少必填字段,或必填字段为空",
    "wrong-type": "值的类型不对(应为整数、true/false、列表或映射等)",
    "bad-date": "日期无效(格式不对、月份或日期不存在)",
    "bad-deadline": "整改时限既不是日期,也不是 立行立改/短期/中期/长期/长期坚持",
    "unknown-status": "未知的状态;只能是 正在推进、基本完成、已完成、长期坚持",
    "bad-value": "取值不在允许范围内(检查类别、预警级别等)",
    "schema-version": "data/ledger.yaml 的格式版本(schema)不受支持",
    # across files
    "duplicate-number": "序号重复(问题序号跨文件查重,方面、事项序号在头文件内查重)",
    "filename-mismatch": "问题文件名与其中的序号不符(011.yaml 应为 number: 11)",
    "unknown-aspect": "引用了不存在的方面",
    "unknown-subject": "引用了不存在的事项",
    "subject-aspect-mismatch": "问题的事项属于另一个方面",
    "no-measures": "问题没有整改措施(警告)",
    # closing and dates
    "done-without-closing": "状态为已完成,但没有销号记录",
    "closing-on-open": "有销号记录,但状态不是已完成(警告)",
    "closing-without-evidence": "销号记录没有佐证材料",
    "open-measure-on-closed": "问题已销号,但仍有措施未标记完成(警告)",
    "closed-before-feedback": "销号日期早于反馈日期",
    "deadline-before-feedback": "整改时限早于反馈日期",
    "extension-not-later": "延期后的时限不晚于原时限(警告)",
    "evidence-missing": "佐证材料文件已不存在",
    "evidence-changed": "佐证材料文件内容已改变(sha256 不符)",
    # money and counts (audit rectification, stated totals)
    "bad-amount": "金额写法不对(不是数字、负数、带单位或千位分隔符)",
    "amount-precision": "金额的小数位数多于 data/ledger.yaml 的 money_decimals(默认 2 位)",
    "no-money-unit": "填写了金额,但 data/ledger.yaml 没有写金额单位 money_unit",
    "rectified-exceeds-involved": "已整改金额大于问题金额",
    "ways-exceed-rectified": "各整改方式(ways)金额之和大于已整改金额",
    "ways-short-of-rectified":
        "各整改方式(ways)金额之和小于已整改金额(警告;只列其中部分方式时可不理会)",
    "stated-mismatch": "通报所述的数字(stated)与台账计算的不符(警告,附两个数字)",
    # left behind
    "stray-temp-file": "被中断的修改留下的临时文件(data/ 中的 .文件名.进程号.xxxxxxxx.tmp,警告)",
    # importing a published notice (ledger import): warnings, the import goes on
    "import-unplaced": "导入时无法归入任何部分的段落(附行号和原文),未导入",
    "import-renumbered": "原文编号不连续,已按顺序重新编号",
    "import-layout": "各问题的写法不一致(措施标签、状态句),生成时按前文写法统一",
    "import-no-title": "导入时找不到通报标题(关于…的通报)",
    "import-no-date": "导入时找不到落款日期",
    "import-no-inspection": "导入时在导语中找不到检查类别或反馈日期",
    "import-no-problems": "导入时没有识别出问题清单:只写入台账头文件和通报的叙述,没有问题文件",
    "import-cut-off": "通报在最后一个问题中途截断(网页不完整),该问题已导入,请核对",
    "import-sheet-columns": "台账表的表头中缺少问题列,这张表未导入",
    "import-sheet-value": "台账表中的单元格无法识别(如整改时限),该值未导入",
}

# The levels `ledger check` reports to code scanning (SARIF rules), keyed by level value:
# rule id, short description, full description ({green_days}/{yellow_days} filled from the
# ledger's policy), and what to do (pairs of words and an optional command, shown as plain
# text and as Markdown). docs/ci.md has a section per rule id, which helpUri points at.
CHECK_RULES: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...]]] = {
    "red": ("deadline-red", "未销号的问题已超过整改时限",
            "问题尚未销号,当前有效时限(问题的时限、最后一次延期的新时限或未完成措施的时限)"
            "已经过去:红色预警。",
            (("整改已完成的,凭佐证材料销号", "ledger close 序号 --evidence 材料"),
             ("确需延期的,经批准后登记延期", "ledger extend 序号 --to 日期 --reason 理由"),
             ("时限填错的,更正时限", "ledger set 序号 deadline=日期"))),
    "yellow": ("deadline-yellow", "未销号的问题即将到期(黄色预警)",
               "问题尚未销号,离当前有效时限不足 {yellow_days} 天(含今天到期):黄色预警。",
               (("抓紧整改,完成后凭佐证材料销号", "ledger close 序号 --evidence 材料"),
                ("记下最新进展", "ledger log 序号 进展"),
                ("确需延期的,在到期前登记延期", "ledger extend 序号 --to 日期 --reason 理由"))),
    "green": ("deadline-green", "未销号的问题临近时限(绿色提醒)",
              "问题尚未销号,离当前有效时限不足 {green_days} 天:绿色提醒。",
              (("核对各项措施的进度,完成一项标记一项", "ledger done 序号 措施序号"),
               ("记下最新进展", "ledger log 序号 进展"))),
}
