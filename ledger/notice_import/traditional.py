"""Traditional characters read as their simplified forms, for recognition only.

A page served in traditional characters (關於…整改情況的通報, 審計) is parsed
through a one-to-one character map, so every position in the simplified view
is the same position in the text as written; `Restorer` then gives back each
piece of text exactly as the page wrote it. The map covers the characters of
the words the parser looks for and the common ones around them; a character
it lacks is only kept as written, never changed.
"""

from __future__ import annotations

from collections.abc import Sequence

_PAIRS = (
    "關关於于情情況况通通報报審审計计視视饋馈開开屆届輪轮黨党組组進进見见現现將将發发機机導导"
    "層层單单責责實实這这項项個个為为會会議议時时間间經经濟济務务員员對对應应並并後后門门處处"
    "長长縣县區区歡欢監监聯联係系電电話话郵邮體体規规範范達达標标準准檢检專专書书記记構构設设"
    "級级條条紀纪幹干線线萬万億亿資资額额繳缴歸归還还賬账帳账盤盘轉转類类總总數数據据辦办廳厅"
    "屬属決决違违責责覆复蓋盖與与們们鄉乡鎮镇號号來来瀏浏覽览亂乱禮礼點点當当學学習习環环勞劳"
    "動动訂订礎础團团隊队確确認认識识護护衛卫態态續续維维爭争邊边際际極极積积兩两廣广東东貫贯"
    "徹彻觀观覺觉顯显風风險险戰战聽听從从狀状樣样滿满創创優优勢势隨随鬥斗備备說说讓让請请調调"
    "啟启聞闻稱称離离難难斷断獲获錢钱財财產产費费購购貸贷債债稅税撥拨補补貼贴歷历週周劃划問问"
    "題题該该著着細细節节領领導导錄录訊讯營营運运憑凭銷销號号責责範范圍围職职權权決决議议選选"
    "舉举廉廉潔洁腐腐敗败貪贪汙污違违規规紀纪懲惩處处罰罰訴诉訟讼辯辩護护執执檢检査查務务產产"
    "資资質质權权責责擔担認认識识專专項项幾几們们這这邊边頭头麼么與与見见給给過过還还會会時时"
    "數数據据實实際际現现點点當当發发動动機机關关係系統统計计劃划總总結结組组織织構构設设計计"
    "論论證证證证識识讀读寫写聽听說说話话語语詞词譯译記记錄录報报紙纸書书畫画圖图傳传達达運运"
    "輸输鐵铁車车船船飛飞機机場场館馆樓楼廳厅園园區区縣县鄉乡鎮镇鄰邻里里壩坝廠厂礦矿業业農农"
    "漁渔牧牧醫医藥药衛卫療疗險险災灾雜杂糧粮價价貨货幣币銀银錢钱債债務务稅税關关貿贸齊齐優优"
    "惡恶醜丑陽阳陰阴遠远近近舊旧新新熱热冷冷溫温濕湿乾干淨净髒脏漢汉華华國国際际黃黄綠绿藍蓝紅红"
    "黨党團团員员幹干隊队師师長长級级導导領领屆届委委黨党務务廳厅署署處处室室區区縣县鎮镇"
    "廣广員员態态總总號号齊齐參参與与協协調调辦办證证認认將将會会監监測测評评估估標标審审驗验"
    "準准備备續续開开啟启關关閉闭築筑堅坚持持紮扎實实穩稳進进長长效效機机製制制制約约訂订")


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for index in range(0, len(_PAIRS) - 1, 2):
        old, new = _PAIRS[index], _PAIRS[index + 1]
        if old != new:
            table[ord(old)] = new
    return table


TO_SIMPLIFIED = _table()


def simplified(text: str) -> str:
    """The text with the known traditional characters replaced, character for character."""
    return text.translate(TO_SIMPLIFIED)


class Restorer:
    """Gives back a piece of the simplified view as the original text wrote it."""

    def __init__(self, simple_lines: Sequence[str], lines: Sequence[str]) -> None:
        self.pairs = list(zip(simple_lines, lines, strict=True))

    def __call__(self, text: str) -> str:
        return "\n".join(self._one(part) for part in text.split("\n"))

    def _one(self, part: str) -> str:
        if not part:
            return part
        for simple, line in self.pairs:
            at = simple.find(part)
            if at >= 0:
                return line[at:at + len(part)]
        return part
