"""Story pairs written for the story tests, unit and integration (not drawn from any labelled
corpus): retold pairs (the same story in another outlet's or a social page's words) and hard
negatives (two stories of the same kind in the same place, days apart)."""

from __future__ import annotations

# (title, body, published) per item; each pair's first item is published first.
Story = tuple[str, str, str]

RETOLD: list[tuple[Story, Story]] = [
    (("Bắt quả tang đối tượng vận chuyển 3 bánh heroin tại xã Ia Grai",
      "Ngày 12/3/2026, Công an xã Ia Grai phối hợp Đồn Biên phòng bắt quả tang N.V.T. "
      "(34 tuổi) đang dùng xe máy chở 3 bánh heroin và 2.000 viên ma túy tổng hợp vừa đưa "
      "qua biên giới từ Campuchia. Tại cơ quan điều tra, T. khai được thuê mang hàng về tiêu "
      "thụ với tiền công 30 triệu đồng mỗi chuyến. Vụ việc đang được mở rộng điều tra.",
      "2026-03-13T08:30:00+07:00"),
     ("Gia Lai: Thanh niên 34 tuổi chở 3 bánh heroin qua biên giới bị bắt",
      "Lực lượng biên phòng và công an xã Ia Grai (Gia Lai) vừa bắt giữ N.V.T., 34 tuổi, khi "
      "người này chở 3 bánh heroin cùng 2.000 viên ma túy tổng hợp bằng xe máy. Theo lời khai "
      "ban đầu, T. nhận chở hàng từ Campuchia về với giá 30 triệu đồng một chuyến. Sự việc "
      "xảy ra ngày 12/3.",
      "2026-03-13T15:00:00+07:00")),
    (("Cháy nhà dân ở phường Hội Phú, một người bị thương",
      "Khoảng 2 giờ sáng 5/4/2026, một căn nhà trên đường Trần Phú, phường Hội Phú, TP Pleiku "
      "bất ngờ bốc cháy dữ dội. Lực lượng Cảnh sát PCCC Công an tỉnh điều 4 xe chữa cháy đến "
      "hiện trường, sau hơn một giờ thì khống chế được ngọn lửa. Ông L.V.H. (62 tuổi), chủ "
      "nhà, bị bỏng nhẹ và được đưa đi cấp cứu. Nguyên nhân ban đầu được xác định do chập điện.",
      "2026-04-05T09:00:00+07:00"),
     ("Nửa đêm cháy lớn trên đường Trần Phú, chủ nhà 62 tuổi bị bỏng",
      "Rạng sáng 5/4, người dân phường Hội Phú hoảng hốt khi căn nhà của ông L.V.H. 62 tuổi "
      "trên đường Trần Phú bốc cháy. Cảnh sát PCCC đưa 4 xe chữa cháy tới dập lửa, khoảng một "
      "giờ sau đám cháy được khống chế. Ông H. bị bỏng nhẹ, đã được đưa vào bệnh viện. Nghi "
      "do chập điện.",
      "2026-04-05T13:20:00+07:00")),
    (("Khởi tố đối tượng cho vay nặng lãi 180%/năm tại An Khê",
      "Cơ quan Cảnh sát điều tra Công an thị xã An Khê vừa khởi tố bị can Trần Quốc Bảo "
      "(29 tuổi) về tội cho vay lãi nặng trong giao dịch dân sự. Từ tháng 6/2025, Bảo cho hơn "
      "40 người vay với lãi suất 180%/năm, thu lợi bất chính gần 600 triệu đồng. Người vay "
      "không trả đúng hạn bị nhóm của Bảo đến nhà đe dọa, ném chất bẩn.",
      "2026-02-20T10:00:00+07:00"),
     ("Cho hơn 40 người vay lãi 180% một năm, thanh niên ở An Khê bị khởi tố",
      "Theo Công an thị xã An Khê, Trần Quốc Bảo, 29 tuổi, đã cho hơn 40 người vay tiền với "
      "lãi suất lên tới 180%/năm và thu lợi gần 600 triệu đồng. Ai chậm trả thì bị nhóm của "
      "Bảo tới tận nhà đe dọa, tạt chất bẩn. Bảo vừa bị khởi tố về tội cho vay lãi nặng.",
      "2026-02-21T07:45:00+07:00")),
    (("Cảnh báo giả danh công an gọi điện lừa đảo ở Chư Sê",
      "Công an huyện Chư Sê cho biết, ngày 8/5/2026, bà N.T.L. (55 tuổi, trú thị trấn Chư Sê) "
      "nhận được cuộc gọi của người tự xưng là cán bộ công an, yêu cầu chuyển 250 triệu đồng "
      "để chứng minh không liên quan đến đường dây rửa tiền. Bà L. đã chuyển tiền và sau đó "
      "mới biết bị lừa. Công an khuyến cáo người dân không làm theo các cuộc gọi như vậy.",
      "2026-05-09T08:00:00+07:00"),
     ("Mất 250 triệu vì tin cuộc gọi của 'công an' giả",
      "Một phụ nữ 55 tuổi ở thị trấn Chư Sê vừa mất 250 triệu đồng sau khi làm theo yêu cầu "
      "của kẻ giả danh công an gọi điện. Hôm 8/5, bà L. được thông báo có liên quan tới đường "
      "dây rửa tiền và phải chuyển tiền để xác minh. Công an huyện Chư Sê đề nghị bà con cảnh "
      "giác, không chuyển tiền theo yêu cầu qua điện thoại.",
      "2026-05-09T20:10:00+07:00")),
    (("Tuyên truyền phòng chống mua bán người cho học sinh vùng biên",
      "Sáng 15/4/2026, Đồn Biên phòng Ia Mơ phối hợp Trường THCS xã Ia Mơ tổ chức buổi tuyên "
      "truyền phòng chống mua bán người cho hơn 300 học sinh. Cán bộ biên phòng giới thiệu các "
      "thủ đoạn dụ dỗ sang Campuchia làm việc nhẹ lương cao, hướng dẫn các em cách nhận biết và "
      "báo tin cho lực lượng chức năng.",
      "2026-04-15T14:00:00+07:00"),
     ("Bộ đội biên phòng lên lớp cho hơn 300 học sinh Ia Mơ",
      "Hơn 300 học sinh Trường THCS xã Ia Mơ hôm 15/4 được cán bộ Đồn Biên phòng Ia Mơ chia sẻ "
      "về các thủ đoạn mua bán người, nhất là chiêu dụ sang Campuchia làm việc nhẹ lương cao. "
      "Các em được hướng dẫn cách nhận biết và báo tin khi phát hiện dấu hiệu nghi vấn.",
      "2026-04-16T06:30:00+07:00")),
    (("Tai nạn giao thông trên quốc lộ 14, hai người tử vong",
      "Khoảng 18 giờ ngày 2/6/2026, trên quốc lộ 14 đoạn qua xã Chư Pưh đã xảy ra vụ va chạm "
      "giữa xe tải và xe máy khiến 2 người đi xe máy tử vong tại chỗ. Tài xế xe tải là anh "
      "Phạm Văn Dũng (41 tuổi). Công an huyện đang điều tra nguyên nhân.",
      "2026-06-02T21:00:00+07:00"),
     ("Xe tải va chạm xe máy ở Chư Pưh, 2 người chết",
      "Tối 2/6, trên quốc lộ 14 qua xã Chư Pưh, một xe tải do tài xế Phạm Văn Dũng, 41 tuổi, "
      "điều khiển đã va chạm với xe máy chở hai người. Cả 2 người trên xe máy tử vong tại chỗ. "
      "Công an đang làm rõ nguyên nhân vụ tai nạn.",
      "2026-06-03T07:00:00+07:00")),
]

DIFFERENT: list[tuple[Story, Story]] = [
    (RETOLD[0][0],
     ("Bắt đối tượng tàng trữ ma túy tại xã Ia Grai",
      "Ngày 19/3/2026, Công an xã Ia Grai phối hợp Đồn Biên phòng bắt quả tang L.V.K. "
      "(27 tuổi) đang tàng trữ 5 bánh heroin và 1.500 viên ma túy tổng hợp tại nhà riêng. "
      "Tại cơ quan điều tra, K. khai mua ma túy từ một người ở Campuchia để bán lại. Vụ việc "
      "đang được mở rộng điều tra.",
      "2026-03-20T08:30:00+07:00")),
    (RETOLD[1][0],
     ("Cháy nhà trên đường Trần Phú ở phường Hội Phú",
      "Khoảng 23 giờ đêm 11/4/2026, một căn nhà trên đường Trần Phú, phường Hội Phú, TP Pleiku "
      "bốc cháy. Cảnh sát PCCC Công an tỉnh điều 3 xe chữa cháy đến hiện trường, sau gần một "
      "giờ thì dập tắt đám cháy. Không có thiệt hại về người. Nguyên nhân ban đầu được xác định "
      "do chập điện.",
      "2026-04-12T07:00:00+07:00")),
    (RETOLD[2][0],
     ("Khởi tố nhóm cho vay lãi nặng ở An Khê",
      "Công an thị xã An Khê vừa khởi tố bị can Lê Văn Hùng (35 tuổi) về tội cho vay lãi "
      "nặng trong giao dịch dân sự. Từ đầu năm 2025, Hùng cho hơn 20 người vay với lãi suất "
      "120%/năm, thu lợi bất chính hơn 300 triệu đồng. Người vay chậm trả bị đe dọa.",
      "2026-02-25T10:00:00+07:00")),
    (RETOLD[3][0],
     ("Giả danh công an lừa đảo cụ ông ở Chư Sê",
      "Công an huyện Chư Sê cho biết, ngày 14/5/2026, ông P.V.M. (68 tuổi, trú thị trấn Chư "
      "Sê) nhận được cuộc gọi của người tự xưng là cán bộ công an, yêu cầu chuyển 120 triệu "
      "đồng để chứng minh không liên quan đến đường dây rửa tiền. Ông M. đã chuyển tiền. Công "
      "an khuyến cáo người dân cảnh giác với các cuộc gọi như vậy.",
      "2026-05-15T08:00:00+07:00")),
    (RETOLD[5][0],
     ("Tai nạn trên quốc lộ 14 qua xã Chư Pưh, một người chết",
      "Khoảng 6 giờ sáng 6/6/2026, trên quốc lộ 14 đoạn qua xã Chư Pưh, xe tải va chạm với "
      "xe máy khiến 1 người tử vong tại chỗ. Tài xế xe tải là anh Nguyễn Văn Hải (38 tuổi). "
      "Công an huyện đang điều tra nguyên nhân.",
      "2026-06-06T10:00:00+07:00")),
    (RETOLD[4][0],
     ("Tuyên truyền phòng chống ma túy cho học sinh xã Ia Mơ",
      "Sáng 22/4/2026, Đồn Biên phòng Ia Mơ phối hợp Trường THCS xã Ia Mơ tổ chức buổi tuyên "
      "truyền phòng chống ma túy cho hơn 250 học sinh. Cán bộ biên phòng giới thiệu tác hại "
      "của ma túy và hướng dẫn các em cách nhận biết, từ chối và báo tin cho lực lượng chức "
      "năng.",
      "2026-04-22T14:00:00+07:00")),
]
