"""The demo centre's 三个一 this year: study materials received and handed out (some brought to the home), books
read, a few dozen reflections (some dictated, most with consent to publication, two as photos of handwritten
pages), and good deeds — at the scale of the source document for a year so far.

Deterministic and idempotent: written only when the centre has no study material yet, every random draw after
that check.
"""

import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from laogan.accounts.models import Role, Unit, User
from laogan.lib.documents import clean_attachment
from laogan.members.models import Member

from . import actions
from .models import StudyMaterial

MATERIALS = [
    # title, edition, copies, (month, day) received
    ("习近平新时代中国特色社会主义思想学习纲要（2023年版）", "学习出版社、人民出版社 2023年版", 120, (1, 8)),
    ("中国共产党简史", "人民出版社、中共党史出版社 2021年版", 100, (2, 20)),
    ("党的二十大报告辅导读本", "人民出版社 2022年版", 90, (3, 5)),
    ("中国共产党章程", "人民出版社 2022年版", 80, (3, 5)),
    ("习近平谈治国理政（第四卷）", "外文出版社 2022年版", 80, (4, 16)),
    ("论党的自我革命", "党建读物出版社、中央文献出版社 2023年版", 80, (5, 12)),
]
OTHER_BOOKS = ["红岩", "平凡的世界", "红星照耀中国", "毛泽东选集（第一卷）", "焦裕禄", "觉醒年代", "梁家河", "可爱的中国"]
TITLES = [
    "重温入党誓词　不忘初心使命", "学习党的创新理论的几点体会", "读《中国共产党简史》有感", "老党员要做学习的表率",
    "从家乡变化看新时代成就", "学思践悟　永葆本色", "离休不离党　退休不褪色", "读书使我心明眼亮",
    "我看城区这几年的发展", "坚定理想信念　发挥余热作用", "学习党章的心得", "一名老兵的学习笔记",
    "跟党走的信念从未改变", "学习二十大精神的体会", "把党的声音传给下一代", "回忆入党时的那一天",
    "学习纲要读后感", "老有所学　老有所为", "从一本书看百年党史", "做一名合格的老党员",
    "读《习近平谈治国理政》的体会", "不忘来时路　奋进新征程", "我的读书生活", "学党史　悟思想",
    "九十岁学新知", "身边的变化说明了什么", "珍惜今天的幸福生活", "给年轻党员的一封信",
    "晚年学习的乐趣", "听党话　跟党走", "重读党章有感", "从“三个一”活动谈起",
    "老党员的初心", "学习路上不停步", "读书会上的发言", "心中的那面旗帜",
]
OPENINGS = [
    "今年中心给我们发了学习读本，我每天上午读上一两节，遇到不懂的地方就请联络员帮忙讲解。",
    "我今年已经九十多岁了，眼睛不太好，但每天坚持让孩子读报给我听，读书学习成了我生活中不可缺少的一部分。",
    "参加支部组织的学习会以后，我把读本又仔细读了一遍，越读越觉得有滋味。",
    "我是一九四八年参加革命工作的，几十年来始终把学习当作一件大事。",
]
MIDDLES = [
    "书中讲到的许多道理，同我们当年参加革命时的亲身经历是相通的：只有依靠群众、团结群众，事业才能兴旺发达。",
    "看到城区这些年修路架桥、老旧小区改造、居家养老服务站一个个建起来，我打心眼里感到高兴。",
    "我体会最深的是，学习不能只停留在嘴上，更要落实到行动上，做到知行合一。",
    "作为一名老党员，虽然离开了工作岗位，但思想上不能离岗，政治上要始终同党中央保持一致。",
    "支部的同志经常上门看望我们，送来学习材料，讲解政策，让我们这些行动不便的老同志也能跟上形势。",
    "我给孙子讲我们那一代人的故事，他听得很认真，我想这也是我们老同志能为下一代做的一件事。",
]
CLOSINGS = [
    "今后我要继续坚持学习，做到老、学到老，为社区建设和下一代成长尽一份力。",
    "活到老、学到老，这是我对自己的要求，也是一名老党员应有的本色。",
    "我将一如既往听党话、跟党走，在有生之年继续发挥余热。",
]
DEEDS = [
    ("为社区青少年讲党史故事", "北湖社区青少年"), ("帮助独居的邻居买药、取快递", "同楼独居老人"),
    ("调解邻里之间的用水纠纷", "小区两户居民"), ("捐款资助贫困学生", "西乡塘区困难学生"),
    ("参加社区义务植树", "北湖社区"), ("为小区老人免费写春联", "小区居民"), ("向社区图书室捐赠图书", "明秀社区图书室"),
    ("陪同生病的老战友就医", "老战友"), ("劝导居民文明养犬、爱护环境", "衡阳东路小区居民"),
    ("给新入职的年轻党员讲传统", "中心在职党员"), ("为困难家庭联系就业岗位", "社区困难家庭"),
    ("义务担任小区治安巡逻员", "小区居民"),
]
HANDWRITTEN = [
    ("读《中国共产党简史》有感", ["中心发给我一本", "《中国共产党简史》，", "我用了两个月时间读完了。", "书里写的很多事情，", "我年轻时亲身经历过，",
                              "读起来格外亲切。", "我们这一代人要把", "党的好传统讲给", "子孙后代听。"]),
    ("老有所学　老有所为", ["离休以后我没有放下学习，", "每天读报、记笔记。", "今年读了学习纲要，", "体会到新时代的", "变化实在太大了。",
                        "我要继续学下去，", "力所能及为社区", "做些好事。"]),
]


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    if centre is None or StudyMaterial.objects.filter(unit=centre).exists():
        return
    today = timezone.localdate()
    Year(centre, today).write()


def _day(today, month, day):
    return min(today, date(today.year, month, day))


class Year:
    def __init__(self, centre, today):
        self.centre, self.today = centre, today
        self.rng = random.Random(2013)
        self.staff = list(User.objects.filter(unit=centre, role=Role.STAFF).order_by("username"))
        self.secretary = User.objects.filter(unit=centre, role=Role.SECRETARY).order_by("id").first() or self.staff[0]
        self.members = list(Member.objects.filter(centre=centre).living().select_related("unit", "liaison").order_by("pk"))

    def by(self, member):
        return member.liaison or self.staff[member.pk % len(self.staff)]

    def write(self):
        materials = self.materials()
        self.handouts(materials)
        self.readings(materials)
        self.reflections()
        self.deeds()

    def materials(self):
        out = []
        for title, edition, copies, (m, d) in MATERIALS:
            out.append(actions.do_receive_material(unit=self.centre, title=title, edition=edition, copies_received=copies,
                                                   received_on=_day(self.today, m, d), acting_user=self.secretary))
        return out

    def handouts(self, materials):
        # The first three go to nearly everyone; those who cannot come have them brought home (送学上门).
        shares = [1.0, 1.0, 1.0, 0.95, 0.9, 0.9]
        for material, share in zip(materials, shares):
            chosen = [m for m in self.members if self.rng.random() < share]
            day = min(self.today, material.received_on + timedelta(days=10))
            at_home = [m for m in chosen if m.bedridden or m.disabled or m.status == "in_hospital"]
            came = [m for m in chosen if m not in at_home]
            if came:
                actions.do_hand_out(material, came, handed_on=day, acting_user=self.secretary)
            if at_home:
                actions.do_hand_out(material, at_home, handed_on=min(self.today, day + timedelta(days=3)),
                                    delivered_home=True, acting_user=self.by(at_home[0]))

    def readings(self, materials):
        for m in self.members:
            if self.rng.random() > 0.75:
                continue
            if self.rng.random() < 0.8:
                material = self.rng.choice(materials[:3])
                title = ""
            else:
                material, title = None, self.rng.choice(OTHER_BOOKS)
            day = self._later_than(material.received_on + timedelta(days=20) if material else date(self.today.year, 1, 10))
            actions.do_record_reading(m, book_title=title, material=material, read_on=day, acting_user=self.by(m))

    def _later_than(self, start):
        start = min(start, self.today)
        span = max((self.today - start).days, 0)
        return start + timedelta(days=self.rng.randrange(0, span + 1))

    def reflections(self):
        writers = [m for m in self.members if self.rng.random() < 0.5][:36]
        for n, m in enumerate(writers):
            dictated = m.bedridden or m.disabled or n % 7 == 3
            consent = n % 4 != 1
            written = self._later_than(date(self.today.year, 3, 1))
            title = TITLES[n % len(TITLES)]
            checked, text = None, self._text()
            if n in (2, 6):
                title, lines = HANDWRITTEN[0 if n == 2 else 1]
                checked, text, dictated = _scan(title, lines), "", False
            actions.do_record_reflection(
                m, title=title, written_on=written, text=text, checked_file=checked, dictated=dictated,
                scribe=self.by(m).display_name if dictated else "", consent_to_publish=consent,
                consent_on=min(self.today, written + timedelta(days=7)) if consent else None, acting_user=self.by(m))

    def _text(self):
        middle = self.rng.sample(MIDDLES, 2 + self.rng.randrange(0, 2))
        return "\n".join([self.rng.choice(OPENINGS), *middle, self.rng.choice(CLOSINGS)])

    def deeds(self):
        doers = [m for m in self.members if not m.bedridden and self.rng.random() < 0.55]
        for n, m in enumerate(doers):
            what, whom = DEEDS[(n * 5 + m.pk) % len(DEEDS)]
            actions.do_record_good_deed(m, what=what, for_whom=whom, done_on=self._later_than(date(self.today.year, 1, 15)),
                                        acting_user=self.by(m))


FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _scan(title, lines):
    """Return a checked photo of a handwritten page: ruled letter paper with the text in a brush-like serif."""
    from PIL import Image, ImageDraw, ImageFont

    width, height, margin, step = 1000, 1400, 90, 100
    image = Image.new("RGB", (width, height), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    for y in range(260, height - 80, step):
        draw.line([(margin - 20, y), (width - margin + 20, y)], fill=(214, 120, 110), width=2)
    head = ImageFont.truetype(FONT, 52, index=2)
    body = ImageFont.truetype(FONT, 50, index=2)
    draw.text((width // 2, 150), title, font=head, fill=(30, 35, 60), anchor="mm")
    for i, line in enumerate(lines):
        draw.text((margin + (100 if i == 0 else 0), 260 + i * step - 12), line, font=body, fill=(25, 30, 70), anchor="ls")
    out = io.BytesIO()
    image.save(out, "PNG")
    upload = SimpleUploadedFile("手写稿.png", out.getvalue(), content_type="image/png")
    return clean_attachment(upload, max_bytes=10 * 1024 * 1024)
