"""The demo centre's year of 三个一: materials handed out near the source's 450 books, a few dozen reflections (some
dictated, most with consent, two scanned), good deeds; a second run changes nothing."""

import time_machine
from django.db.models import Sum
from django.test import TestCase

from laogan.members.management.commands.seed_demo import build_demo

from .. import booklet, demo
from ..models import BookReading, GoodDeed, MaterialHandout, Reflection, StudyMaterial
from .base import NOW


def counts():
    return [m.objects.count() for m in (StudyMaterial, MaterialHandout, BookReading, Reflection, GoodDeed)]


@time_machine.travel(NOW, tick=False)
class DemoTest(TestCase):
    def test_the_demo_year_is_realistic_and_idempotent(self):
        build_demo()
        demo.build()
        first = counts()
        demo.build()
        self.assertEqual(counts(), first)
        self.assertGreaterEqual(MaterialHandout.objects.aggregate(n=Sum("copies"))["n"], 400)
        self.assertTrue(MaterialHandout.objects.filter(delivered_home=True).exists())
        self.assertGreaterEqual(Reflection.objects.count(), 24)
        self.assertTrue(Reflection.objects.filter(dictated=True).exclude(scribe="").exists())
        self.assertEqual(Reflection.objects.consented().filter(file_kind="image").count(), 2)
        self.assertGreaterEqual(GoodDeed.objects.count(), 30)
        centre = StudyMaterial.objects.first().unit
        self.assertGreater(booklet.reflections_for(centre, 2026).count(), 15)
